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
	target, mode, err := destination(path)
	if err != nil {
		return err
	}
	tmp, err := createTemp(target)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := fill(ctx, tmp, mode, write); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	return syncDir(filepath.Dir(target))
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
	for try := 0; ; try++ {
		name := filepath.Join(dir, fmt.Sprintf(".%s.%08x.tmp", base, rand.Uint32()))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil || !errors.Is(err, fs.ErrExist) || try == 100 {
			return f, err
		}
	}
}

// fill writes the temporary file through a buffer that stops at ctx's end,
// gives it mode (when not 0), syncs and closes it.
func fill(ctx context.Context, f *os.File, mode fs.FileMode, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(ContextWriter(ctx, f), 64<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && mode != 0 {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
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
