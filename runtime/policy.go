package runtime

import (
	"context"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// action is what a policy makes of a failed attempt.
type action int

const (
	actOK         action = iota // the attempt succeeded
	actRetry                    // wait, then try again
	actSkip                     // give up on this item (or worker, or callback) and go on
	actAbort                    // abort the whole run
	actCancelled                // the run is being cancelled; nothing to decide
	actDrain                    // take no new item, let the running ones finish, fail the run
	actNotStarted               // a Remote handed the item back unstarted: the run drained before a worker took it
)

// decide is the whole policy table: a cancelled attempt is never retried;
// a failure is retried while attempts remain and retry.when holds; then
// `then` applies.
func decide(p dsl.Policy, kind Kind, attempt int, when bool) action {
	switch {
	case kind == KindCancelled:
		return actCancelled
	case attempt < p.Attempts && when:
		return actRetry
	case p.Then == dsl.PolicySkip:
		return actSkip
	case p.Then == dsl.PolicyDrain:
		return actDrain
	}
	return actAbort
}

// retriedByDefault is retry.when's default: every kind but cancelled,
// which decide never retries; limit, since an expression that passed the
// memory limit would pass it again; and data, since a cell that does not
// fit its column reads the same the next time.
func retriedByDefault(kind Kind) bool {
	return kind != KindCancelled && kind != KindLimit && kind != KindData
}

// sleepContext waits d, or less when ctx ends first; it returns ctx's
// error in that case.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// hooks are what a policy loop reports and how it waits; tests replace
// sleep and rand so that no test waits for real.
type hooks struct {
	sleep   func(context.Context, time.Duration) error
	rand    func() float64
	onRetry func(err *Error, wait time.Duration)
}

// withPolicy runs a stage until it succeeds or its policy gives up. It
// returns the value of the successful attempt, or the final error and
// what the policy chose, and the errors of the attempts that failed.
// started is when the first attempt starts.
func (r *runner) withPolicy(st *dsl.Stage, h hooks, started time.Time) (any, *Error, action, int) {
	p := st.Policy
	r.attemptStart = started
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			r.attemptStart = time.Now()
		}
		r.setAttempt(attempt)
		v, err := r.runOnce(st)
		if err == nil {
			return v, nil, actOK, attempt
		}
		err.Attempts = p.Attempts
		when := r.retryWhen(p, err, attempt)
		act := decide(p, err.Kind, attempt, when)
		if act != actRetry {
			if act == actSkip || act == actAbort || act == actDrain {
				err.Outcome = Outcome{Retry: p.Attempts > 1, Then: p.Then}
			}
			return nil, err, act, attempt
		}
		wait := p.Wait(attempt, h.rand())
		if h.onRetry != nil {
			h.onRetry(err, wait)
		}
		if h.sleep(r.run, wait) != nil {
			err.Kind, err.Cause = KindCancelled, &CancelledError{While: "waiting to retry", Err: err.Cause}
			return nil, err, actCancelled, attempt
		}
	}
}

// setAttempt sets the attempt variable, writing the environment only when
// it changes: nearly every item has one attempt.
func (r *runner) setAttempt(n int) {
	if r.envAttempt != n {
		r.ev.env["attempt"], r.envAttempt = n, n
	}
	r.attempt = n
}

// retryWhen evaluates retry.when for a failure. It is only asked when a
// retry is possible; a `when` that fails counts as false, and its error
// becomes a note of the failure, at the when, so that it is not lost. Without a `when`,
// see retriedByDefault.
func (r *runner) retryWhen(p dsl.Policy, err *Error, attempt int) bool {
	if p.When == nil {
		return retriedByDefault(err.Kind)
	}
	if attempt >= p.Attempts || err.Kind == KindCancelled {
		return true
	}
	saved := r.ev.env["error"] // callbacks.error's own error variable
	r.ev.env["error"] = err.Value()
	ok, werr := r.cond(p.When)
	r.ev.env["error"] = saved
	if werr != nil {
		err.Notes = append(err.Notes, &Note{At: rangeOf(p.When), What: "retry.when", Text: "failed, so the failure was not retried", Cause: werr})
		return false
	}
	return ok
}
