package builtins

import (
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/poolflow/poolflow/files"
)

// writeFile implements write_file(path, text). It replaces the file
// atomically (files.WriteAtomic): readers see the old content or the new,
// never a part; a new file takes the umask, an existing one keeps its
// mode. The parent directory must exist.
func writeFile(args ...any) (any, error) {
	ctx, p, text, err := ctxStrings("write_file", args)
	if err != nil {
		return nil, err
	}
	err = files.WriteAtomic(ctx, ScopeFrom(ctx).Path(p), func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	})
	if err != nil {
		return nil, fileError("write_file", ScopeFrom(ctx).Dir, p, err)
	}
	return nil, nil
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
		return nil, fileError("append_file", ScopeFrom(ctx).Dir, p, err)
	}
	if err := appendLine(abs, line+"\n"); err != nil {
		return nil, fileError("append_file", ScopeFrom(ctx).Dir, p, err)
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
