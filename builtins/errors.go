package builtins

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"

	"github.com/poolflow/poolflow/files"
)

// PanicError reports a builtin that panicked. [Options] wraps every builtin
// so that a panic comes back as this error instead of unwinding the caller.
type PanicError struct {
	Func  string // name of the builtin
	Value any    // the value passed to panic
	Stack string // the goroutine's stack at the panic, from runtime/debug.Stack
}

// Error returns "panic in <func>: <value>".
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic in %s: %v", e.Func, e.Value)
}

// Unwrap returns the panic value when it is an error, and nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// FailError is returned by fail(message): the pipeline asked for the item
// to fail.
type FailError struct {
	Message string
}

// Error returns the message given to fail.
func (e *FailError) Error() string {
	return e.Message
}

// fileError reports err from builtin fn working on the user's path p,
// which resolves against dir. It drops the resolved path that
// *fs.PathError repeats, so the message names the path as the pipeline
// wrote it, keeps errors.Is working, and for a file that is not there says
// where it was looked for when that is not where the shell would look.
func fileError(fn, dir, p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	where := ""
	if errors.Is(err, fs.ErrNotExist) {
		where = files.Where(dir, p)
	}
	return fmt.Errorf("%s: %q: %w%s", fn, p, err, where)
}

// Guard wraps fn, the implementation of builtin name, so that a panic in
// it returns a *PanicError holding the panic's stack. Options uses it for
// every builtin; tests use it to register functions that panic on purpose.
func Guard(name string, fn func(args ...any) (any, error)) func(args ...any) (any, error) {
	return func(args ...any) (out any, err error) {
		defer func() {
			if v := recover(); v != nil {
				out, err = nil, &PanicError{Func: name, Value: v, Stack: string(debug.Stack())}
			}
		}()
		return fn(args...)
	}
}
