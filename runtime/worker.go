package runtime

import (
	"fmt"
	"sync"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// work is one worker: the initializer once, then items until there are no
// more or the run ends.
func (r *run) work(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	defer r.recoverPanic("map")
	rn := newRunner(r.ctx, r.plan, id, r.eng.Log)
	if !r.initialize(rn) {
		return
	}
	for {
		select {
		case <-r.ctx.Done():
			return
		case j, ok := <-r.jobs:
			if !ok {
				return
			}
			r.outcomes <- r.item(rn, j) // the collector drains until every worker ends
		}
	}
}

// initialize runs the initializer under its policy and sets the worker
// variable. It reports whether the worker may take items.
func (r *run) initialize(rn *runner) bool {
	rn.ev.env["worker"], _ = r.plan.NewWorker(rn.worker, nil)
	st := r.plan.Initializer
	if st == nil {
		return true
	}
	started := time.Now()
	_, err, act, _ := rn.withPolicy(st, r.hooks)
	if obs := r.eng.Observer; obs != nil {
		obs.StageFinished(StageRecord{Stage: st.Name, Worker: rn.worker, Index: -1, Duration: time.Since(started), Err: err})
	}
	switch act {
	case actOK:
		return r.setWorker(rn, st)
	case actSkip:
		r.retire(err)
	case actAbort:
		r.abort(initError(err, fmt.Sprintf("worker %d could not start", rn.worker)))
	}
	return false
}

// retire records a worker whose initializer failed under skip; when it
// was the last one, nobody is left to take items and the run aborts.
func (r *run) retire(err *Error) {
	r.mu.Lock()
	r.retiredErrs = append(r.retiredErrs, err)
	r.mu.Unlock()
	if int(r.retired.Add(1)) == r.plan.Workers {
		r.abort(initError(err, "no worker could start; the last failure"))
		return
	}
	if r.eng.Observer != nil {
		r.eng.Observer.WorkerRetired(err)
	}
}

// setWorker builds the worker variable from the initializer's named steps.
func (r *run) setWorker(rn *runner, st *dsl.Stage) bool {
	values := map[string]any{}
	for _, s := range st.Steps {
		if s.Name != "" {
			values[s.Name] = rn.ev.env[s.Name]
			delete(rn.ev.env, s.Name)
		}
	}
	w, err := r.plan.NewWorker(rn.worker, values)
	if err != nil {
		r.abort(&Error{Kind: KindInit, Stage: "initializer", Message: err.Error(), Index: -1, Worker: rn.worker, Cause: err})
		return false
	}
	rn.ev.env["worker"] = w
	return true
}

// initError is the error that ends a run because of an initializer.
func initError(cause *Error, what string) *Error {
	e := *cause
	e.Kind, e.Message, e.Cause = KindInit, fmt.Sprintf("%s: %s", what, cause.Message), cause
	e.Index, e.Item = -1, nil
	return &e
}

// item runs one item under the map policy.
func (r *run) item(rn *runner, j job) outcome {
	rec := ItemRecord{Index: j.index, Item: j.item, Worker: rn.worker}
	if r.ctx.Err() != nil { // taken as the run ended: it never started
		rec.Status = StatusNotStarted
		return outcome{rec: rec}
	}
	obs := r.eng.Observer
	if obs != nil {
		obs.ItemStarted(j.index, j.item, rn.worker)
	}
	rn.setItem(j.item, j.index)
	rn.ev.env["item"], rn.ev.env["index"] = j.item, j.index
	started := time.Now()
	h := r.hooks
	if obs != nil {
		h.onRetry = func(err *Error, wait time.Duration) {
			rec.Attempts = append(rec.Attempts, Attempt{Duration: err.Duration, Err: err})
			obs.Retrying(err, wait)
		}
	}
	v, err, act, attempts := rn.withPolicy(r.plan.Map, h)
	rec.Duration = time.Since(started)
	if obs != nil {
		rec.Attempts = append(rec.Attempts, Attempt{Duration: lastDuration(rec, started, err), Err: err})
	}
	out := outcome{rec: rec, result: v}
	out.rec.Err = err
	r.settle(rn, &out, act, attempts)
	return out
}

// lastDuration is how long the last attempt took.
func lastDuration(rec ItemRecord, started time.Time, err *Error) time.Duration {
	if err != nil {
		return err.Duration
	}
	d := time.Since(started)
	for _, a := range rec.Attempts {
		d -= a.Duration
	}
	return d
}

// settle applies the policy's decision to an item's outcome.
func (r *run) settle(rn *runner, out *outcome, act action, attempts int) {
	out.rec.Status = StatusOK
	switch act {
	case actOK:
		out.has = true
		r.finished.Add(1)
	case actCancelled:
		out.rec.Status = StatusCancelled
	case actAbort:
		out.rec.Status = StatusFailed
		r.abort(out.rec.Err)
	case actSkip:
		r.skip(rn, out)
	}
	out.attempts = attempts
}

// skip records a final failure under skip: the fallback, if any, becomes
// the result; past max_failures the run aborts with this failure.
func (r *run) skip(rn *runner, out *outcome) {
	p := r.plan.Map.Policy
	failed, finished := r.failed.Add(1), r.finished.Add(1)
	if p.MaxFailures.Exceeded(int(failed), int(finished)) {
		e := *out.rec.Err
		e.Message = fmt.Sprintf("%s (max_failures %s passed: %d of %d finished items failed)", e.Message, p.MaxFailures, failed, finished)
		e.Policy = policyWords(p) + ", max_failures"
		out.rec.Err, out.rec.Status = &e, StatusFailed
		r.abort(&e)
		return
	}
	out.rec.Status = StatusSkipped
	if p.Fallback == nil {
		return
	}
	rn.ev.env["error"] = out.rec.Err.Value()
	v, err := rn.ev.run(p.Fallback)
	if err != nil {
		out.rec.Err.Message += fmt.Sprintf(" (and its fallback failed: %s)", messageOf(err))
		return
	}
	out.result, out.has, out.rec.Fallback = v, true, true
}
