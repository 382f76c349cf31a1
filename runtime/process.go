package runtime

import (
	"context"
	"fmt"
	"strings"
	"syscall"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/proctree"
)

// StderrTailLines is how much of a failed command's standard error an
// error carries.
const StderrTailLines = 20

// processError is a command that exited non-zero, could not start, or
// wrote more standard output than limits.output.
type processError struct {
	result dsl.ProcessResult // stdout and stderr as kept, head and tail past the limit
	err    error             // the start or wait error; nil when only the limit was passed
	limit  int64             // limits.output, when standard output passed it
}

func (e *processError) Error() string {
	switch {
	case e.limit > 0:
		return fmt.Sprintf("standard output passed limits.output (%s); the command was killed", dsl.FormatBytes(e.limit))
	case e.result.Code > 0:
		return "exit status " + itoa(e.result.Code)
	case e.result.Code < 0:
		return "could not start: " + MessageOf(e.err)
	}
	return e.err.Error()
}

func (e *processError) Unwrap() error { return e.err }

// runProcess runs argv in dir with stdin from /dev/null, keeping at most
// limit bytes of each output stream (spec.md §6.8). The command runs in a
// process group of its own; when ctx ends, or its standard output passes
// the limit, it is killed at once. When it returns, every process the
// command started is dead, including those that left its group.
func runProcess(ctx context.Context, argv []string, dir string, limit int64) (dsl.ProcessResult, error) {
	limit = outputLimit(limit)
	r, err := proctree.Run(ctx, proctree.Command{Argv: argv, Dir: dir, Limit: int(limit), StopAtStdoutLimit: true})
	res := dsl.ProcessResult{Stdout: kept(r.Stdout, limit), Stderr: kept(r.Stderr, limit), Code: exitCode(r)}
	switch {
	case ctx.Err() != nil && err != nil:
		return res, ctx.Err()
	case r.Stdout.Dropped > 0:
		return res, &processError{result: res, err: err, limit: limit}
	case err != nil:
		return res, &processError{result: res, err: err}
	}
	return res, nil
}

// outputLimit is limits.output, or its default for a plan built without
// one.
func outputLimit(limit int64) int64 {
	if limit <= 0 {
		return dsl.DefaultOutput
	}
	return limit
}

// kept is a stream as a step's value shows it: all of it, or past the
// limit its head, a line saying how much was dropped, and its tail.
func kept(o proctree.Output, limit int64) string {
	if o.Dropped == 0 {
		return string(o.Head)
	}
	var b strings.Builder
	b.Grow(len(o.Head) + len(o.Tail) + 64)
	b.Write(o.Head)
	if len(o.Head) > 0 && o.Head[len(o.Head)-1] != '\n' {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "... %d bytes dropped (limits.output %s) ...\n", o.Dropped, dsl.FormatBytes(limit))
	b.Write(o.Tail)
	return b.String()
}

// exitCode is the command's exit status, 128+signal when a signal ended it
// (as shells say), or -1 when it did not run.
func exitCode(r proctree.Result) int {
	if r.State == nil {
		return -1
	}
	if ws, ok := r.State.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return r.State.ExitCode()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func itoa(i int) string { return text(i) }
