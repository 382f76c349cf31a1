package files

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func write(text string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, text); return err }
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// leftovers lists what is in dir besides the names given.
func leftovers(t *testing.T, dir string, keep ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// A new file has 0666 less the umask, as os.Create gives, not a fixed mode.
func TestWriteAtomicNewFileTakesTheUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "out.json")
	if err := WriteAtomic(context.Background(), path, write("new\n")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, path); got != 0o640 {
		t.Errorf("mode %o, want 0640 (0666 less the umask 027)", got)
	}
	if got := readFile(t, path); got != "new\n" {
		t.Errorf("content %q", got)
	}
}

// An existing file keeps its mode: a 0600 file does not become readable
// by others.
func TestWriteAtomicKeepsAnExistingMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(context.Background(), path, write("new")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, path); got != 0o600 {
		t.Errorf("mode %o, want 0600 kept", got)
	}
	if got := readFile(t, path); got != "new" {
		t.Errorf("content %q, want new", got)
	}
}

// Writing through a symbolic link replaces the file it points to and
// leaves the link.
func TestWriteAtomicFollowsALink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "real.txt"), filepath.Join(dir, "link.txt")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.txt", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(context.Background(), link, write("new")); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link.txt is no longer a link: %v, %v", info, err)
	}
	if got := readFile(t, target); got != "new" {
		t.Errorf("real.txt = %q, want new", got)
	}
}

// A write that fails, or a context that ends while writing (an interrupt),
// leaves the old file as it was and no temporary file behind.
func TestWriteAtomicLeavesTheOldFileOnFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	for _, c := range []struct {
		name  string
		ctx   context.Context
		write func(io.Writer) error
		want  string
	}{
		{"write fails", context.Background(), func(w io.Writer) error {
			io.WriteString(w, "half")
			return errors.New("encoding failed")
		}, "encoding failed"},
		{"interrupted while writing", ctx, func(w io.Writer) error {
			chunk := strings.Repeat("x", 1<<16)
			for i := 0; i < 100; i++ {
				if i == 3 {
					cancel()
				}
				if _, err := io.WriteString(w, chunk); err != nil {
					return err
				}
			}
			return nil
		}, "context canceled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := WriteAtomic(c.ctx, path, c.write)
			if err == nil || err.Error() != c.want {
				t.Errorf("error %v, want %q", err, c.want)
			}
			if got := readFile(t, path); got != "old" {
				t.Errorf("out.csv = %q, want the old content", got)
			}
			if got := leftovers(t, dir, "out.csv"); got != nil {
				t.Errorf("left behind: %q", got)
			}
		})
	}
}

func TestWriteAtomicRefusesAFolder(t *testing.T) {
	dir := t.TempDir()
	err := WriteAtomic(context.Background(), dir, write("x"))
	if err == nil || err.Error() != dir+" is not a regular file" {
		t.Errorf("error %v", err)
	}
}

func TestGlob(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.csv", "a.csv", "c.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Glob(dir, "*.csv")
	if err != nil || !slices.Equal(got, []string{"a.csv", "b.csv"}) {
		t.Errorf("relative: %q, %v", got, err)
	}
	got, err = Glob(dir, filepath.Join(dir, "*.txt"))
	if err != nil || !slices.Equal(got, []string{filepath.Join(dir, "c.txt")}) {
		t.Errorf("absolute: %q, %v", got, err)
	}
	got, err = Glob(dir, "*.none")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("no match: %#v, %v; want an empty list", got, err)
	}
	if _, err := Glob(dir, "[a-"); err == nil || err.Error() != `syntax error in pattern "[a-"` {
		t.Errorf("bad pattern: %v", err)
	}
}

func TestResolve(t *testing.T) {
	for _, c := range []struct{ dir, p, want string }{
		{"/work", "a.csv", "/work/a.csv"}, {"/work", "/abs/a.csv", "/abs/a.csv"}, {"", "a.csv", "a.csv"},
	} {
		if got := Resolve(c.dir, c.p); got != c.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", c.dir, c.p, got, c.want)
		}
	}
}

func TestWhere(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, p, want string }{
		{filepath.Join(wd, "examples", "csv"), "data/a.csv", " (looked for examples/csv/data/a.csv)"},
		{wd, "data/a.csv", ""},
		{filepath.Join(filepath.Dir(wd), "jobs"), "a.csv", " (looked for ../jobs/a.csv)"},
		{"/elsewhere/jobs", "a.csv", " (looked for /elsewhere/jobs/a.csv)"},
		{"/elsewhere", "/abs/a.csv", ""},
		{"", "a.csv", ""},
	} {
		if got := Where(c.dir, c.p); got != c.want {
			t.Errorf("Where(%q, %q) = %q, want %q", c.dir, c.p, got, c.want)
		}
	}
}
