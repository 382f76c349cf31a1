package runtime

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/expr-lang/expr/file"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// fail builds the Error for a failed step: the kind, the cause, where in
// the file, and the evidence (the failing sub-expression and the values
// it read, the command, its exit status and standard error, a panic's
// callers).
func (r *runner) fail(stageCtx context.Context, st *dsl.Stage, step *dsl.Step, prog *dsl.Program, err error) *Error {
	var pe *partError
	if errors.As(err, &pe) {
		prog = pe.prog
	}
	e := &Error{Kind: kindOf(r.run, err), Subject: r.subject(st, step), At: dsl.Over(step.Pos, len(step.Kind)),
		Duration: time.Since(r.attemptStart)}
	e.Cause = causeOf(e.Kind, stageCtx, st, step, plainer(err))
	if prog != nil {
		var sub string
		e.At, sub = prog.Failing(err)
		if telling(sub) && e.Kind != KindFail { // fail(...) said it all
			e.Evidence.Expr = sub
		}
	}
	r.evidence(e, err)
	if e.Kind == KindAssert && prog != nil && !strings.Contains(prog.Source, "\n") {
		e.At = dsl.Over(prog.Pos, len([]rune(prog.Source))) // the whole condition did not hold
	}
	if prog != nil && (e.Kind == KindExpr || e.Kind == KindAssert || e.Kind == KindFail || e.Kind == KindPanic || e.Kind == KindData) {
		e.Evidence.Values = r.values(prog)
	}
	return e
}

// subject is what the runner works on now, in st at step.
func (r *runner) subject(st *dsl.Stage, step *dsl.Step) Subject {
	return Subject{Stage: st.Name, Step: step.Label, Item: r.item, Index: r.index, Worker: r.worker, Attempt: r.attempt}
}

// causeOf is the cause a failure of kind gives: err, or for a timeout and
// a cancellation an error that says which limit passed, wrapping err.
func causeOf(kind Kind, stageCtx context.Context, st *dsl.Stage, step *dsl.Step, err error) error {
	switch kind {
	case KindTimeout:
		return timeoutOf(stageCtx, st, step, err)
	case KindCancelled:
		return &CancelledError{Err: err}
	}
	return err
}

// telling reports whether a failing sub-expression says more than the
// caret: not a lone name or bracket.
func telling(sub string) bool {
	return len(sub) >= 3 && strings.ContainsAny(sub, "()[]+-*/.<>=!&|?:, ")
}

// evidence copies what the error knows about a command or a panic.
func (r *runner) evidence(e *Error, err error) {
	var ce *commandError
	if errors.As(err, &ce) {
		e.Evidence.Argv = ce.argv
	}
	var proc *processError
	if errors.As(err, &proc) {
		e.Kind, e.Evidence.ExitCode = KindExit, proc.result.Code
		e.Evidence.Stderr = tail(proc.result.Stderr, StderrTailLines)
		if proc.limit > 0 {
			e.Kind, e.Evidence.Stdout = KindLimit, proc.result.Stdout
		}
	}
	var ae *assertError
	if errors.As(err, &ae) {
		e.Kind = KindAssert
	}
	var panicErr *builtins.PanicError
	if errors.As(err, &panicErr) {
		e.Evidence.Callers = Callers(panicErr.Stack)
	}
	e.Evidence.Cell = cellOf(err)
}

// values shows the variables a failing program read, as they were.
func (r *runner) values(p *dsl.Program) []NamedText {
	var out []NamedText
	for _, name := range p.Vars {
		if name == builtins.ContextVar {
			continue
		}
		out = append(out, NamedText{Name: name, Value: shorten(jsonish(r.ev.env[name]), 120)})
	}
	return out
}

// MessageOf is an error's message without expr's source snippet, which the
// renderer shows better from the pipeline file itself.
func MessageOf(err error) string {
	for {
		if fe, ok := err.(*file.Error); ok {
			return fe.Message
		}
		inner := errors.Unwrap(err)
		if inner == nil || inner.Error() != err.Error() { // a wrapper that adds words keeps them
			return err.Error()
		}
		err = inner
	}
}

// TimeoutError says which time limit passed.
type TimeoutError struct {
	Limit time.Duration // 0 when not known
	What  string        // what set it: timeout (the run's), STAGE.timeout, or step
	Err   error         // the context's error, or the step's
}

func (e *TimeoutError) Error() string {
	switch {
	case e.Limit == 0:
		return "timed out"
	case e.What == "timeout":
		return fmt.Sprintf("the run's timeout of %s passed", e.Limit)
	case e.What == "step":
		return fmt.Sprintf("timed out after %s (the step's timeout)", e.Limit)
	}
	return fmt.Sprintf("timed out after %s (%s, per attempt)", e.Limit, e.What)
}

// Unwrap returns the context's error.
func (e *TimeoutError) Unwrap() error { return e.Err }

// timeoutOf says which limit passed: the stage's, when its context is the
// one that ran out, else the step's.
func timeoutOf(stageCtx context.Context, st *dsl.Stage, step *dsl.Step, err error) error {
	switch {
	case st.Timeout > 0 && errors.Is(stageCtx.Err(), context.DeadlineExceeded):
		return &TimeoutError{Limit: st.Timeout, What: st.Name + ".timeout", Err: err}
	case step.Timeout > 0:
		return &TimeoutError{Limit: step.Timeout, What: "step", Err: err}
	}
	return &TimeoutError{Err: err}
}

// CancelledError is a step, or a wait, that the run's end cut short.
type CancelledError struct {
	While string // what was cut short, when not the step itself: "waiting to retry"
	Err   error
}

func (e *CancelledError) Error() string {
	if e.While != "" {
		return "cancelled while " + e.While
	}
	return "cancelled"
}

// Unwrap returns the error the cut-short step gave.
func (e *CancelledError) Unwrap() error { return e.Err }

// plainer says in words what a raw message of expr's VM means, when it is
// one of those that read as Go rather than as the pipeline: `invalid
// operation: int(12z)` is `int: "12z" is not an integer`, `interface
// conversion: interface {} is nil, not int` is `got nil where an int was
// expected`. Other errors are as they are.
func plainer(err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return err
	}
	if m := notANumber.FindStringSubmatch(fe.Message); m != nil {
		what := map[string]string{"int": "an integer", "float": "a number"}[m[1]]
		return &plainError{fmt.Sprintf("%s: %q is not %s", m[1], m[2], what), err}
	}
	if m := conversion.FindStringSubmatch(fe.Message); m != nil {
		return &plainError{fmt.Sprintf("got %s where %s was expected", typeWords(m[1]), typeWords(m[2])), err}
	}
	return err
}

var (
	notANumber = regexp.MustCompile(`^invalid operation: (int|float)\((.*)\)$`)
	conversion = regexp.MustCompile(`^interface conversion: interface \{\} is ([^,]+), not (.+)$`)
)

// typeWords names a Go type for people: nil, a string, an integer, a
// list.
func typeWords(t string) string {
	if w, ok := typeNames[t]; ok {
		return w
	}
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a map"
	}
	return t
}

var typeNames = map[string]string{"nil": "nil", "string": "a string", "int": "an integer", "int64": "an integer",
	"float64": "a number", "bool": "true or false"}

// plainError is a message in words for a raw one of expr's; it unwraps to
// the raw error, so that its position and kind are kept.
type plainError struct {
	message string
	raw     error
}

func (e *plainError) Error() string { return e.message }

// Unwrap returns what the raw error wraps, not the raw error itself: its
// message would only repeat this one in Go's words.
func (e *plainError) Unwrap() error { return errors.Unwrap(e.raw) }
