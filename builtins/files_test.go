package builtins

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestReadFile(t *testing.T) {
	runCases(t, "read_file", []callCase{
		{name: "text", files: map[string]string{"a.txt": "hi\nthere"}, args: []any{"a.txt"}, want: "hi\nthere"},
		{name: "empty", files: map[string]string{"a.txt": ""}, args: []any{"a.txt"}, want: ""},
		{name: "subdir", files: map[string]string{"d/a.txt": "x"}, args: []any{"d/a.txt"}, want: "x"},
		{name: "missing", args: []any{"nope.txt"},
			err: `read_file: "nope.txt": no such file or directory (looked for $DIR/nope.txt)`},
		{name: "directory", files: map[string]string{"d/a.txt": "x"}, args: []any{"d"},
			err: `read_file: "d": is a directory`},
		{name: "not a string", args: []any{3}, err: "read_file: argument 1 is int, want string"},
		{name: "too many", args: []any{"a", "b"}, err: "read_file: want 1 argument, got 2"},
	})
}

func TestReadLines(t *testing.T) {
	runCases(t, "read_lines", []callCase{
		{name: "final newline", files: map[string]string{"a": "x\ny\n"}, args: []any{"a"}, want: []string{"x", "y"}},
		{name: "no final newline", files: map[string]string{"a": "x\ny"}, args: []any{"a"}, want: []string{"x", "y"}},
		{name: "crlf", files: map[string]string{"a": "x\r\ny\r\n"}, args: []any{"a"}, want: []string{"x", "y"}},
		{name: "blank lines kept", files: map[string]string{"a": "x\n\n\ny\n"}, args: []any{"a"}, want: []string{"x", "", "", "y"}},
		{name: "only newline", files: map[string]string{"a": "\n"}, args: []any{"a"}, want: []string{}},
		{name: "two newlines", files: map[string]string{"a": "\n\n"}, args: []any{"a"}, want: []string{"", ""}},
		{name: "empty", files: map[string]string{"a": ""}, args: []any{"a"}, want: []string{}},
		{name: "missing", args: []any{"a"}, err: `read_lines: "a": no such file or directory (looked for $DIR/a)`},
	})
}

func TestExists(t *testing.T) {
	runCases(t, "exists", []callCase{
		{name: "file", files: map[string]string{"a": ""}, args: []any{"a"}, want: true},
		{name: "directory", files: map[string]string{"d/a": ""}, args: []any{"d"}, want: true},
		{name: "missing", args: []any{"a"}, want: false},
		{name: "under a file", files: map[string]string{"a": ""}, args: []any{"a/b"},
			err: `exists: "a/b": not a directory`},
	})
}

func TestBasenameDirname(t *testing.T) {
	runCases(t, "basename", []callCase{
		{name: "file", args: []any{"data/a.csv"}, want: "a.csv"},
		{name: "trailing slash", args: []any{"data/"}, want: "data"},
		{name: "empty", args: []any{""}, want: "."},
		{name: "not a string", args: []any{1}, err: "basename: argument 1 is int, want string"},
	})
	runCases(t, "dirname", []callCase{
		{name: "file", args: []any{"data/a.csv"}, want: "data"},
		{name: "bare", args: []any{"a.csv"}, want: "."},
		{name: "root", args: []any{"/a"}, want: "/"},
		{name: "no arguments", args: []any{}, err: "dirname: want 1 argument, got 0"},
	})
}

func TestWriteFile(t *testing.T) {
	runCases(t, "write_file", []callCase{
		{name: "new", args: []any{"a.txt", "hello"}},
		{name: "replace", files: map[string]string{"a.txt": "old old old"}, args: []any{"a.txt", "hello"}},
		{name: "missing directory", args: []any{"no/a.txt", "x"},
			err: `write_file: "no/a.txt": no such file or directory (looked for $DIR/no/a.txt)`},
		{name: "text not a string", args: []any{"a.txt", 1}, err: "write_file: argument 2 is int, want string"},
	})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "old"})
	for name, text := range map[string]string{"a.txt": "new", "b.txt": "fresh"} {
		if _, err := callIn(t.Context(), &Scope{Dir: dir}, "write_file", name, text); err != nil {
			t.Fatal(err)
		}
	}
	checkDir(t, dir, map[string]string{"a.txt": "new", "b.txt": "fresh"})
}

// checkDir checks that dir holds exactly the files in want, so a leftover
// temporary file fails the test.
func checkDir(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		got[e.Name()] = readBack(t, dir, e.Name())
	}
	checkResult(t, got, nil, want, "")
}

func TestWriteFileKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(p, []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := callIn(t.Context(), &Scope{Dir: dir}, "write_file", "run.sh", "new"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want -rwxr-xr-x", info.Mode().Perm())
	}
}

func TestAppendFile(t *testing.T) {
	runCases(t, "append_file", []callCase{
		{name: "new", args: []any{"log.txt", "one"}},
		{name: "missing directory", args: []any{"no/log.txt", "x"},
			err: `append_file: "no/log.txt": no such file or directory (looked for $DIR/no/log.txt)`},
		{name: "line not a string", args: []any{"log.txt", true}, err: "append_file: argument 2 is bool, want string"},
	})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"log.txt": "zero\n"})
	for _, line := range []string{"one", "two"} {
		if _, err := callIn(t.Context(), &Scope{Dir: dir}, "append_file", "log.txt", line); err != nil {
			t.Fatal(err)
		}
	}
	checkDir(t, dir, map[string]string{"log.txt": "zero\none\ntwo\n"})
}

func TestAppendFileConcurrent(t *testing.T) {
	const workers, lines = 50, 100
	dir := t.TempDir()
	long := strings.Repeat("x", 5000) // long lines make torn writes likelier
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range lines {
				line := fmt.Sprintf("%d %d %s", w, i, long)
				if _, err := callIn(t.Context(), &Scope{Dir: dir}, "append_file", "log.txt", line); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	all := splitLines(readBack(t, dir, "log.txt"))
	got := map[string]bool{}
	for _, l := range all {
		got[l] = true
	}
	want := map[string]bool{}
	for w := range workers {
		for i := range lines {
			want[fmt.Sprintf("%d %d %s", w, i, long)] = true
		}
	}
	if len(all) != workers*lines || !maps.Equal(got, want) {
		t.Errorf("got %d lines, %d distinct; want the %d written", len(all), len(got), workers*lines)
	}
}
