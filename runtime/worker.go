package runtime

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// work is one worker: the initializer once, then items until there are no
// more or the run ends.
func (r *run) work(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	defer r.recoverPanic("map")
	rn := r.warnFrom(newRunner(r.ctx, r.plan, id, r.eng.Log))
	if r.eng.Journal != nil {
		rn.scope.Read = func(path string) { rn.reads = append(rn.reads, path) }
	}
	if !r.initialize(rn) {
		return
	}
	h := r.itemHooks(rn)
	for {
		batch, ok := tryReceive(r.jobs, r.noMore)
		if !ok {
			return
		}
		started := time.Now()
		outs := getOutcomes(len(batch))
		at := started
		for _, j := range batch {
			var out outcome
			out, at = r.item(rn, h, j, at)
			outs = append(outs, out)
		}
		putJobs(batch)
		r.noteBatch(len(batch), at.Sub(started))
		r.outcomes <- outs // the collector drains until every worker ends
	}
}

// tryReceive takes the next batch unless the queue is closed or done
// closes first; like trySend it tries without blocking first.
func tryReceive(jobs <-chan []job, done <-chan struct{}) ([]job, bool) {
	select {
	case b, ok := <-jobs:
		return b, ok
	default:
	}
	select {
	case b, ok := <-jobs:
		return b, ok
	case <-done:
		return nil, false
	}
}

// initialize runs the initializer under its policy and sets the worker
// variable. It reports whether the worker may take items.
func (r *run) initialize(rn *runner) bool {
	st := r.plan.Initializer
	if st == nil || r.eng.Remote != nil { // a remote run's initializer runs in each remote slot
		rn.ev.env["worker"], _ = r.plan.NewWorker(rn.worker, nil)
		return true
	}
	rn.ev.env["worker"] = r.plan.NewInitWorker(rn.worker)
	started := time.Now()
	_, err, act, _ := rn.withPolicy(st, r.hooks, started)
	if obs := r.eng.Observer; obs != nil {
		obs.StageFinished(StageRecord{Stage: st.Name, Worker: rn.worker, Index: -1, Started: started, Duration: time.Since(started), Err: err})
	}
	switch act {
	case actOK:
		return r.setWorker(rn, st)
	case actSkip:
		r.retire(err)
	case actAbort:
		r.abort(endedBy(KindInit, err))
	case actDrain:
		r.drain(endedBy(KindInit, err))
	}
	return false
}

// retire records a worker whose initializer failed under skip; when it
// was the last one, nobody is left to take items and the run aborts.
func (r *run) retire(err *Error) {
	r.mu.Lock()
	r.retiredErrs = append(r.retiredErrs, err)
	r.mu.Unlock()
	if int(r.retired.Add(1)) == r.workers {
		last := endedBy(KindInit, err)
		last.Cause = &noWorkerError{last: err}
		r.abort(last)
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
		r.abort(&Error{Kind: KindInit, Subject: Subject{Stage: "initializer", Index: -1, Worker: rn.worker}, At: dsl.At(st.Pos), Cause: err})
		return false
	}
	rn.ev.env["worker"] = w
	return true
}

// endedBy is the error that ends a run because of a failure of the
// initializer (kind init) or of a callback (kind callback): the failure
// itself as its cause, its subject, place and evidence, without an item
// for the initializer. Its message is the failure's: nothing is added.
func endedBy(kind Kind, cause *Error) *Error {
	e := *cause
	e.Kind, e.Cause, e.Notes = kind, cause, nil
	if kind == KindInit {
		e.Index, e.Item = -1, nil
	}
	return &e
}

// noWorkerError ends a run whose every worker retired.
type noWorkerError struct{ last *Error }

func (e *noWorkerError) Error() string {
	return "no worker could start; the last one: " + e.last.Message()
}

func (e *noWorkerError) Unwrap() error { return e.last }

// item runs one item under the map policy, starting at started, and
// returns its outcome and when it ended: the next item's start, so that
// timing an item costs one clock reading.
func (r *run) item(rn *runner, h hooks, j job, started time.Time) (outcome, time.Time) {
	rec := ItemRecord{Index: j.index, Item: j.item, Worker: rn.worker}
	if r.stopping() { // taken as the run ended or began to drain: it never started
		rec.Status = StatusNotStarted
		return outcome{rec: rec}, started
	}
	rec.Started = started
	obs := r.eng.Observer
	if obs != nil {
		obs.ItemStarted(j.index, j.item, rn.worker)
	}
	rn.setItem(j.item, j.index)
	rn.ev.env["item"], rn.ev.env["index"] = j.item, j.index
	var key []byte
	if jr := r.eng.Journal; jr != nil {
		key = r.keyOf(rn)
		if re, ok := jr.Reuse(key); ok {
			out := reused(rec, key, re)
			r.settleReused(&out)
			return out, time.Now()
		}
		rn.reads = rn.reads[:0]
	}
	rn.failed = rn.failed[:0]
	v, err, act, attempts := r.mapStage(rn, h, j, &rec, started)
	if act == actNotStarted { // handed out, but no worker took it before the drain
		rec.Status, rec.Started, rec.Worker = StatusNotStarted, time.Time{}, rn.worker
		return outcome{rec: rec}, time.Now()
	}
	ended := time.Now()
	rec.Duration = ended.Sub(started)
	if obs != nil && (err != nil || len(rn.failed) > 0) { // a lone successful attempt is the item itself
		rec.Attempts = append(append(make([]Attempt, 0, len(rn.failed)+1), rn.failed...),
			lastAttempt(rn.attemptStart, ended, err))
	}
	out := outcome{rec: rec, result: v, key: key}
	out.rec.Err = err
	r.settle(rn, &out, act, attempts)
	if key != nil && (out.rec.Status == StatusOK || out.rec.Status == StatusSkipped) {
		out.deps = r.depsOf(rn)
	}
	return out, ended
}

// settleReused counts a reused item as settle counts one that ran, for the
// failure budget: a reused skip that passes it aborts the run, as it
// would have had it just run.
func (r *run) settleReused(out *outcome) {
	if out.rec.Status != StatusSkipped {
		r.finished.Add(1)
		return
	}
	if r.overBudget(out) {
		out.result, out.has, out.rec.Fallback = nil, false, false
	}
}

// itemHooks are the policy hooks of a worker's items: with an observer,
// failed attempts are kept (in the runner, reused) for the item's record.
func (r *run) itemHooks(rn *runner) hooks {
	h := r.hooks
	if obs := r.eng.Observer; obs != nil {
		h.onRetry = func(err *Error, wait time.Duration) {
			rn.failed = append(rn.failed, Attempt{Started: rn.attemptStart, Duration: err.Duration, Err: err})
			obs.Retrying(err, wait)
		}
	}
	return h
}

// lastAttempt is the item's last attempt, which started at started: a
// failure knows how long it took; a success ended with the item.
func lastAttempt(started, ended time.Time, err *Error) Attempt {
	if err != nil {
		return Attempt{Started: started, Duration: err.Duration, Err: err}
	}
	return Attempt{Started: started, Duration: ended.Sub(started)}
}

// settle applies the policy's decision to an item's outcome.
func (r *run) settle(rn *runner, out *outcome, act action, attempts int) {
	out.rec.Status = StatusOK
	switch act {
	case actOK:
		out.has = true
		if r.plan.Map.Policy.MaxFailures.IsPercent { // only a share of finished items needs the count
			r.finished.Add(1)
		}
	case actCancelled:
		out.rec.Status = StatusCancelled
	case actAbort:
		out.rec.Status = StatusFailed
		r.abort(out.rec.Err)
	case actDrain:
		out.rec.Status = StatusFailed
		r.drain(out.rec.Err)
	case actSkip:
		r.skip(rn, out)
	}
	out.attempts = attempts
}

// judgeFailures judges the map stage's failure budget once every item has
// been delivered: during the run a share waits for MinFinishedForShare
// items, and whether the last item failed or not decided whether it was
// judged at all; at the end the whole count decides, in any order.
func (r *run) judgeFailures(c *collector) {
	t := r.plan.Map.Policy.MaxFailures
	failed, finished := c.sum.Stats.Skipped, c.sum.Stats.Total
	if !t.ExceededAtEnd(failed, finished) {
		return
	}
	msg := fmt.Sprintf("%d of %d items failed, more than max_failures %s allows", failed, finished, t)
	if t.IsPercent {
		share := strconv.FormatFloat(100*float64(failed)/float64(finished), 'f', 1, 64)
		msg = fmt.Sprintf("%d of %d items failed (%s%%), more than max_failures %s allows",
			failed, finished, strings.TrimSuffix(share, ".0"), t)
	}
	e := runError(KindMaxFailures, "map", dsl.Over(t.Pos, len(t.String())), errors.New(msg))
	e.Outcome = Outcome{Retry: r.plan.Map.Policy.Attempts > 1, Then: dsl.PolicySkip, Budget: true}
	r.abort(e)
}

// skip records a final failure under skip: the fallback, if any, becomes
// the result; past max_failures the run aborts with this failure.
func (r *run) skip(rn *runner, out *outcome) {
	p := r.plan.Map.Policy
	if r.overBudget(out) {
		return
	}
	out.rec.Status = StatusSkipped
	if p.Fallback == nil {
		return
	}
	rn.ev.env["error"] = out.rec.Err.Value()
	v, err := rn.ev.run(p.Fallback)
	if err != nil {
		out.rec.Err.Notes = append(out.rec.Err.Notes, &Note{At: rangeOf(p.Fallback), What: "fallback", Text: "failed, so the item has no result", Cause: err})
		return
	}
	out.result, out.has, out.rec.Fallback = v, true, true
}

// overBudget counts a skipped item against max_failures and, past it,
// makes the item failed and aborts the run with its failure.
func (r *run) overBudget(out *outcome) bool {
	p := r.plan.Map.Policy
	failed, finished := r.failed.Add(1), r.finished.Add(1)
	if !p.MaxFailures.Exceeded(int(failed), int(finished)) || r.draining() { // a drain lets the running items end as their policy says
		return false
	}
	e := *out.rec.Err
	text := fmt.Sprintf("%s passed: %d items failed", p.MaxFailures, failed)
	if p.MaxFailures.IsPercent {
		text = fmt.Sprintf("%s passed: %d of %d finished items failed", p.MaxFailures, failed, finished)
	}
	e.Notes = append(slices.Clone(e.Notes), &Note{At: dsl.Over(p.MaxFailures.Pos, len(p.MaxFailures.String())), What: "max_failures", Text: text})
	e.Outcome.Budget = true
	out.rec.Err, out.rec.Status = &e, StatusFailed
	if p.MaxFailures.Then == dsl.PolicyDrain {
		e.Outcome.Drain = true
		r.drain(&e)
		return true
	}
	r.abort(&e)
	return true
}
