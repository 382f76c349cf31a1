package runtime

import (
	"context"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// Host runs items of a plan for a run whose collector is elsewhere: a
// cluster worker makes one per run it joins. Each Slot is one worker
// slot: its initializer, then items, each under the map stage's retry
// policy. Slots may run at once, each from its own goroutine; Abort and
// Close may be called from any goroutine.
type Host struct {
	r *run
}

// NewHost makes a host for plan under ctx. Its engine's Log receives the
// lines log() writes; no Observer, Journal or Remote is used.
func (e *Engine) NewHost(ctx context.Context, plan *dsl.Plan) *Host {
	eng := &Engine{Log: e.Log, sleep: e.sleep, rand: e.rand}
	return &Host{r: eng.newRun(ctx, plan)}
}

// Abort ends every slot's work with cause: a step running now is
// cancelled and its processes are killed.
func (h *Host) Abort(cause error) { h.r.cancel(cause) }

// Context ends once the host is aborted or closed.
func (h *Host) Context() context.Context { return h.r.ctx }

// Close ends the host; its slots take no more items.
func (h *Host) Close() {
	h.r.cancel(nil)
	h.r.stopWatch()
}

// Slot is one worker slot of a Host. It is used by one goroutine.
type Slot struct {
	r  *run
	rn *runner
	h  hooks
}

// Slot starts slot id: its initializer runs under its policy. On failure
// it returns the failure and what the policy chose: VerdictSkip retires
// only this slot, VerdictAbort ends the run, VerdictCancelled means the
// host ended.
func (h *Host) Slot(id int) (*Slot, Verdict, *Error) {
	r := h.r
	rn := r.warnFrom(newRunner(r.ctx, r.plan, id, r.eng.Log))
	rn.scope.Read = func(path string) { rn.reads = append(rn.reads, path) }
	s := &Slot{r: r, rn: rn}
	s.h = r.hooks
	s.h.onRetry = func(err *Error, _ time.Duration) {
		rn.failed = append(rn.failed, Attempt{Started: rn.attemptStart, Duration: err.Duration, Err: err})
	}
	st := r.plan.Initializer
	if st == nil {
		rn.ev.env["worker"], _ = r.plan.NewWorker(id, nil)
		return s, VerdictOK, nil
	}
	rn.ev.env["worker"] = r.plan.NewInitWorker(id)
	_, err, act, _ := rn.withPolicy(st, r.hooks, time.Now())
	if act == actAbort {
		err = endedBy(KindInit, err)
	}
	if act != actOK {
		return nil, verdictOf(act), err
	}
	if !r.setWorker(rn, st) {
		return nil, VerdictAbort, errorOf(context.Cause(r.ctx))
	}
	return s, VerdictOK, nil
}

// errorOf is err as an *Error, as the run's cause always is.
func errorOf(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return runError(KindCancelled, "initializer", dsl.Range{}, err)
}

// Run runs the map stage of the item under its retry policy. The slot
// decides nothing else: skip's fallback and max_failures are the
// collector's.
func (s *Slot) Run(index int, item any) Ran {
	rn := s.rn
	rn.setItem(item, index)
	rn.ev.env["item"], rn.ev.env["index"] = item, index
	rn.failed, rn.reads = rn.failed[:0], rn.reads[:0]
	v, err, act, attempts := rn.withPolicy(s.r.plan.Map, s.h, time.Now())
	ran := Ran{Verdict: verdictOf(act), Err: err, Attempts: attempts, Last: rn.attemptStart, Worker: rn.worker,
		Failed: append([]Attempt(nil), rn.failed...), Reads: append([]string(nil), rn.reads...)}
	if act == actOK {
		ran.Result = v
	}
	return ran
}
