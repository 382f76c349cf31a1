package files

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// WriteAtomic replaces the file at path with what write writes, so that a
// reader, a crash or an interrupted run sees the old file or the new one
// whole, never a part:
//
//   - the text goes to a temporary file beside path, synced to disk, then
//     renamed over path, and the folder is synced;
//   - a new file gets mode 0666 less the umask, as os.Create gives; an
//     existing file keeps its mode;
//   - when path is a symbolic link, the file it points to is replaced and
//     the link stays;
//   - when ctx ends before the rename (write's writes then fail with the
//     context's error), or write fails, path is left as it was and the
//     temporary file is removed.
func WriteAtomic(ctx context.Context, path string, write func(io.Writer) error) error {
	p, err := Create(ctx, path)
	if err != nil {
		return err
	}
	if err := write(p); err != nil {
		p.Discard()
		return err
	}
	return p.Commit()
}

// Pending is a file being replaced atomically, whose text is written as
// it comes, over any length of time (an output written as a run goes):
// it goes to a temporary file beside the file, which Commit syncs and
// renames over it. Until then the file is as it was; Discard, a failed
// write or a Commit after ctx ended removes the temporary file and leaves
// it so. Writes are buffered and fail once ctx has ended. A Pending is
// used by one goroutine.
type Pending struct {
	ctx    context.Context
	target string
	mode   fs.FileMode
	f      *os.File
	w      *bufio.Writer
	closed bool
}

// Create starts replacing the file at path, with the rules of
// WriteAtomic.
func Create(ctx context.Context, path string) (*Pending, error) {
	target, mode, err := destination(path)
	if err != nil {
		return nil, err
	}
	f, err := createTemp(target)
	if err != nil {
		return nil, err
	}
	return &Pending{ctx: ctx, target: target, mode: mode, f: f, w: bufio.NewWriterSize(ContextWriter(ctx, f), 64<<10)}, nil
}

// Write adds p to the text.
func (p *Pending) Write(b []byte) (int, error) { return p.w.Write(b) }

// Commit puts the text in place of the file: flushed, given the old
// file's mode, synced, renamed over it, the folder synced. On an error,
// or when ctx has ended, the file is left as it was.
func (p *Pending) Commit() error {
	if p.closed {
		return errors.New("files: Commit after Commit or Discard")
	}
	p.closed = true
	defer os.Remove(p.f.Name()) // a no-op once renamed
	err := p.w.Flush()
	if err == nil && p.mode != 0 {
		err = p.f.Chmod(p.mode)
	}
	if err == nil {
		err = p.f.Sync()
	}
	if err := errors.Join(err, p.f.Close()); err != nil {
		return err
	}
	if err := p.ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(p.f.Name(), p.target); err != nil {
		return err
	}
	return syncDir(filepath.Dir(p.target))
}

// Discard drops the text and leaves the file as it was. It does nothing
// after Commit.
func (p *Pending) Discard() {
	if p.closed {
		return
	}
	p.closed = true
	p.f.Close()
	os.Remove(p.f.Name())
}

// destination returns the file to replace, following a symbolic link, and
// the mode an existing file has (0 for a new one, which keeps the umask's).
func destination(path string) (string, fs.FileMode, error) {
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", 0, err
	}
	info, err := os.Stat(target)
	switch {
	case err == nil && !info.Mode().IsRegular():
		return "", 0, fmt.Errorf("%s is not a regular file", path)
	case err == nil:
		return target, info.Mode().Perm(), nil
	case errors.Is(err, fs.ErrNotExist):
		return target, 0, nil
	}
	return "", 0, err
}

// createTemp creates a new temporary file beside target with mode 0666,
// which the umask trims as it does for any new file (os.CreateTemp would
// force 0600).
func createTemp(target string) (*os.File, error) {
	dir, base := filepath.Split(target)
	removeStale(dir, base)
	for try := 0; ; try++ {
		name := filepath.Join(dir, fmt.Sprintf(".%s.%d-%08x.tmp", base, os.Getpid(), rand.Uint32()))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil || !errors.Is(err, fs.ErrExist) || try == 100 {
			return f, err
		}
	}
}

// removeStale removes the temporary files of base left by processes that
// are gone (a run killed with SIGKILL, a crash): their names hold the
// writer's pid. A file of a process that still exists is left, whoever it
// is now: the worst a reused pid does is keep some litter.
func removeStale(dir, base string) {
	prefix := "." + base + "."
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !strings.HasSuffix(rest, ".tmp") {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// ContextWriter returns a writer that writes to w until ctx ends, and then
// fails every write with ctx's error, so that a long write stops soon after
// an interrupt.
func ContextWriter(ctx context.Context, w io.Writer) io.Writer { return ctxWriter{ctx, w} }

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, errors.ErrUnsupported) || errors.Is(err, os.ErrInvalid) {
		err = nil // some file systems cannot sync a folder; the rename still happened
	}
	return errors.Join(err, d.Close())
}
