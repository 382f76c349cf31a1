package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr/file"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// fail builds the Error for a failed step: the kind, the message, where in
// the file, and the evidence (command, exit status, stderr, stack).
func (r *runner) fail(stageCtx context.Context, st *dsl.Stage, step *dsl.Step, prog *dsl.Program, err error) *Error {
	var pe *partError
	if errors.As(err, &pe) {
		prog = pe.prog
	}
	e := &Error{Kind: kindOf(r.run, err), Message: MessageOf(err), Stage: st.Name, Step: step.Label,
		Pos: step.Pos, Item: r.item, Index: r.index, Attempt: r.attempt, Worker: r.worker,
		Duration: time.Since(r.attemptStart), Cause: err}
	e.Span = len(step.Kind)
	if prog != nil {
		e.Pos, e.Source = prog.ErrorPos(err), prog.Source
		e.SubExpr, e.Span = prog.Failing(err)
	}
	r.evidence(e, err)
	if e.Kind == KindAssert && prog != nil && !strings.Contains(prog.Source, "\n") {
		e.Pos, e.Span = prog.Pos, len([]rune(prog.Source)) // the whole condition did not hold
	}
	if prog != nil && (e.Kind == KindExpr || e.Kind == KindAssert || e.Kind == KindFail || e.Kind == KindPanic) {
		e.Values = r.values(prog)
	}
	switch e.Kind {
	case KindTimeout:
		e.Message = timeoutMessage(stageCtx, st, step)
	case KindCancelled:
		e.Message = "cancelled"
	}
	return e
}

// evidence copies what the error knows about a command or a panic.
func (r *runner) evidence(e *Error, err error) {
	var ce *commandError
	if errors.As(err, &ce) {
		e.Command = ce.command
	}
	var proc *processError
	if errors.As(err, &proc) {
		e.Kind, e.Code, e.Stderr = KindExit, proc.result.Code, tail(proc.result.Stderr, StderrTailLines)
		if proc.limit > 0 {
			e.Kind = KindLimit
		}
		if proc.result.Code < 0 {
			e.Message = "could not start: " + MessageOf(proc.err)
		}
	}
	var ae *assertError
	if errors.As(err, &ae) {
		e.Kind = KindAssert
	}
	var panicErr *builtins.PanicError
	if errors.As(err, &panicErr) {
		e.Stack = panicErr.Stack
	}
}

// values shows the variables a failing program read, as they were.
func (r *runner) values(p *dsl.Program) []string {
	var out []string
	for _, name := range p.Vars {
		if name == builtins.ContextVar {
			continue
		}
		out = append(out, name+" = "+shorten(jsonish(r.ev.env[name]), 120))
	}
	return out
}

// MessageOf is an error's message without expr's source snippet, which the
// renderer shows better from the pipeline file itself.
func MessageOf(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fe.Message
	}
	return err.Error()
}

// timeoutMessage says which limit passed: the stage's, when its context
// is the one that ran out, else the step's.
func timeoutMessage(stageCtx context.Context, st *dsl.Stage, step *dsl.Step) string {
	switch {
	case st.Timeout > 0 && errors.Is(stageCtx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("timed out after %s (%s.timeout, per attempt)", st.Timeout, st.Name)
	case step.Timeout > 0:
		return fmt.Sprintf("timed out after %s (the step's timeout)", step.Timeout)
	}
	return "timed out"
}
