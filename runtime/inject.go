package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// inject fails the attempt at once when an --inject spec selects it
// (spec.md §6.11): no step runs, so nothing with side effects does, and
// the failure is the one the spec says, at its step, marked injected. Its
// policy then decides as for any failure. Only the map stage is injected.
func (r *runner) inject(ctx context.Context, st *dsl.Stage) *Error {
	if len(r.injections) == 0 || st.Name != "map" {
		return nil
	}
	for _, in := range r.injections {
		if !in.OnAttempt(r.attempt) || !in.SelectsIndex(r.index) {
			continue
		}
		if in.When != nil {
			ok, err := r.cond(in.When)
			if err != nil || !ok {
				continue // a when that fails selects nothing, as a false one
			}
		}
		return r.injectedError(ctx, st, in)
	}
	return nil
}

// injectedError is the failure an injection makes, as the step would
// have failed: the kind, an exit's status and standard error, a timeout's
// limit.
func (r *runner) injectedError(ctx context.Context, st *dsl.Stage, in *dsl.Injection) *Error {
	step := in.Step
	e := &Error{Kind: Kind(in.Kind), Subject: r.subject(st, step), At: dsl.Over(step.Pos, len(step.Kind)), Injected: true}
	msg := in.Message
	switch e.Kind {
	case KindExit:
		e.Evidence.ExitCode, e.Evidence.Stderr = in.Code, tail(in.Stderr, StderrTailLines)
		msg = firstNonEmpty(msg, fmt.Sprintf("exit status %d", in.Code))
	case KindTimeout:
		e.Cause = &TimeoutError{Limit: firstPositiveDuration(step.Timeout, st.Timeout), What: timeoutWhat(st, step),
			Err: &InjectedError{Message: firstNonEmpty(msg, "timed out")}}
	default:
		msg = firstNonEmpty(msg, "injected "+in.Kind+" failure")
	}
	if e.Cause == nil {
		e.Cause = &InjectedError{Message: msg}
	}
	if ctx.Err() != nil { // the run ended as the attempt began: a cancellation, as for a step
		e.Kind, e.Cause = KindCancelled, &CancelledError{Err: ctx.Err()}
	}
	return e
}

// InjectedError is the cause of an injected failure.
type InjectedError struct{ Message string }

func (e *InjectedError) Error() string { return e.Message }

// IsInjected reports whether err is, or wraps, an injected failure.
func IsInjected(err error) bool {
	var ie *InjectedError
	return errors.As(err, &ie)
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// timeoutWhat names the limit an injected timeout stands for.
func timeoutWhat(st *dsl.Stage, step *dsl.Step) string {
	if step.Timeout > 0 {
		return "step"
	}
	return st.Name + ".timeout"
}

func firstPositiveDuration(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

// stubbed is a stubbed step's result (a test's stubs, spec.md §11): the
// command does not run; an exit status other than 0 fails the step as the
// command's would.
func stubbed(res *dsl.ProcessResult) (any, *dsl.Program, error) {
	if res.Code != 0 {
		return *res, nil, &processError{result: *res}
	}
	return *res, nil, nil
}
