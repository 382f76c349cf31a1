package files

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPending writes a file over time: until Commit the old file is as it
// was, and Discard or a Commit after the context ended leaves it so, with
// no temporary file left beside it.
func TestPending(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(p *Pending, cancel context.CancelFunc) error
		want string
	}{
		{"commit", func(p *Pending, _ context.CancelFunc) error { return p.Commit() }, "new text\n"},
		{"discard", func(p *Pending, _ context.CancelFunc) error { p.Discard(); return nil }, "old\n"},
		{"commit after cancel", func(p *Pending, cancel context.CancelFunc) error {
			cancel()
			if err := p.Commit(); err == nil {
				t.Error("Commit after the context ended succeeded")
			}
			return nil
		}, "old\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			os.WriteFile(path, []byte("old\n"), 0o600)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			p, err := Create(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			p.Write([]byte("new "))
			if got, _ := os.ReadFile(path); string(got) != "old\n" {
				t.Fatalf("while writing, the file holds %q", got)
			}
			p.Write([]byte("text\n"))
			if err := tc.end(p, cancel); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != tc.want {
				t.Errorf("file holds %q, want %q", got, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("the folder holds %d files, want 1", len(entries))
			}
			if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600 kept", info.Mode().Perm())
			}
		})
	}
}

// TestStaleTemporaryFilesGo: the temporary file a killed writer left
// beside the file is removed by the next writer of that file; one of a
// process that still runs is left, as is any other file.
func TestStaleTemporaryFilesGo(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, fmt.Sprintf(".out.csv.%d-0badf00d.tmp", dead.Process.Pid))
	live := filepath.Join(dir, fmt.Sprintf(".out.csv.%d-0badf00d.tmp", os.Getppid()))
	other := filepath.Join(dir, fmt.Sprintf(".other.csv.%d-0badf00d.tmp", dead.Process.Pid))
	for _, p := range []string{stale, live, other} {
		if err := os.WriteFile(p, []byte("half"), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Create(context.Background(), filepath.Join(dir, "out.csv"))
	if err != nil {
		t.Fatal(err)
	}
	p.Discard()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale file is still there: %v", err)
	}
	for _, kept := range []string{live, other} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("%s: %v", filepath.Base(kept), err)
		}
	}
}
