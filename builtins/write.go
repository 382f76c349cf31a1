package builtins

import (
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// writeFile implements write_file(path, text). It writes a temporary file
// beside path and renames it over path, so readers see the old content or
// the new, never a part. The parent directory must exist. It does not
// fsync: the write is atomic for readers, not durable across a crash.
func writeFile(args ...any) (any, error) {
	ctx, p, text, err := ctxStrings("write_file", args)
	if err != nil {
		return nil, err
	}
	if err := replaceFile(ScopeFrom(ctx).Path(p), text); err != nil {
		return nil, fileError("write_file", p, err)
	}
	return nil, nil
}

// replaceFile atomically replaces the file at path with text. A new file
// gets mode 0644; an existing one keeps its mode.
func replaceFile(path, text string) error {
	mode := fs.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if err := fillTemp(f, text, mode); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// fillTemp writes text to f, sets its mode and closes it.
func fillTemp(f *os.File, text string, mode fs.FileMode) error {
	_, err := f.WriteString(text)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// appendLocks holds one *sync.Mutex per cleaned absolute path written by
// append_file.
var appendLocks sync.Map

// appendFile implements append_file(path, line): it appends line and a
// newline in one write, creating the file if needed. Calls for the same
// file are serialised, so concurrent lines never interleave.
func appendFile(args ...any) (any, error) {
	ctx, p, line, err := ctxStrings("append_file", args)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(ScopeFrom(ctx).Path(p))
	if err != nil {
		return nil, fileError("append_file", p, err)
	}
	if err := appendLine(abs, line+"\n"); err != nil {
		return nil, fileError("append_file", p, err)
	}
	return nil, nil
}

// appendLine appends text to the file at abs while holding its lock.
func appendLine(abs, text string) error {
	mu, _ := appendLocks.LoadOrStore(abs, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
