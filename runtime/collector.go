package runtime

import (
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// collector receives outcomes from the workers, puts them in the order
// asked for, and delivers them: statistics, results, callbacks. It runs on
// one goroutine, so callbacks run one at a time and in delivery order.
type collector struct {
	r       *run
	rn      *runner // runs the callbacks
	next    int     // with order input, the index to deliver next
	pending ring    // with order input, outcomes waiting for the ones before them
	freed   int     // items delivered since the window was last told
	results []any
	errors  []dsl.ErrorValue
	rows    *rowsWriter // output.rows, written as results are delivered; nil for none
	fold    *folder     // output.fold's accumulator; nil for none
	sum     Summary

	finished      []Finished // scratch for the journal
	journalFailed bool
}

func newCollector(r *run) *collector {
	return &collector{r: r, rn: r.warnFrom(newRunner(r.ctx, r.plan, -1, r.eng.Log)), pending: newRing(r.plan.Window)}
}

// loop drains the outcomes until every worker has ended. It keeps draining
// after the run is aborted, so that no worker blocks and no finished
// outcome is lost; it only stops delivering.
func (c *collector) loop() {
	for outs := range c.r.outcomes {
		c.journal(outs)
		for i := range outs {
			c.arrive(&outs[i])
		}
		putOutcomes(outs)
		c.r.slots.release(c.freed) // once per batch: their callbacks have run
		c.freed = 0
	}
}

// arrive records an outcome and delivers what is now deliverable.
// An outcome that is next in order, the common case, is delivered without
// a stop in the ring.
func (c *collector) arrive(out *outcome) {
	c.record(out)
	switch {
	case c.r.plan.Order == dsl.OrderCompletion:
		c.deliver(out)
		return
	case out.rec.Index == c.next:
		c.next++
		c.deliver(out)
	default:
		c.pending.put(out.rec.Index, c.next, *out)
	}
	for {
		next, ok := c.pending.take(c.next)
		if !ok {
			return
		}
		c.next++
		c.deliver(&next)
	}
}

// record counts an outcome as it arrives, delivered or not: the summary
// counts every item that finished, also after an abort.
func (c *collector) record(out *outcome) {
	switch out.rec.Status {
	case StatusNotStarted:
		c.sum.NotStarted++
		if obs := c.r.eng.Observer; obs != nil {
			obs.ItemNotStarted(out.rec.Index, out.rec.Item)
		}
		return
	case StatusCancelled:
		c.sum.Cancelled++
	case StatusFailed:
		c.sum.Failed++
	case StatusOK:
		c.sum.Stats.OK++
	case StatusSkipped:
		c.sum.Stats.Skipped++
		if out.rec.Fallback {
			c.sum.Stats.Fallbacks++
		}
	}
	if out.rec.Status == StatusOK || out.rec.Status == StatusSkipped {
		c.sum.Stats.Total++
	}
	if out.attempts > 1 {
		c.sum.Stats.Retried++
	}
	if out.rec.Reused {
		c.sum.Reused++
	}
	if obs := c.r.eng.Observer; obs != nil {
		obs.ItemFinished(out.rec)
	}
}

// notStarted records an item left in the job queue when the run ended.
func (c *collector) notStarted(j job) {
	c.sum.NotStarted++
	if obs := c.r.eng.Observer; obs != nil {
		obs.ItemNotStarted(j.index, j.item)
	}
}

// deliver keeps an item's result and runs its callback, unless the run is
// ending; its window place is freed after that, with the rest of its
// batch: an item stays in flight until its callback has run.
func (c *collector) deliver(out *outcome) {
	c.freed++
	if c.r.ended() {
		return
	}
	switch out.rec.Status {
	case StatusOK:
		c.keep(out)
		c.callback(c.r.plan.OnResult, out, "result", out.result)
	case StatusSkipped:
		c.keep(out)
		if c.r.plan.KeepErrors || c.r.plan.OnError != nil {
			ev := out.rec.Err.Value()
			if c.r.plan.KeepErrors {
				c.errors = append(c.errors, ev)
			}
			c.callback(c.r.plan.OnError, out, "error", ev)
		}
	}
}

// keep adds an outcome's result to results when the end of the run reads
// them.
func (c *collector) keep(out *outcome) {
	if out.has && c.r.plan.KeepResults {
		c.results = append(c.results, out.result)
	}
	if out.has {
		c.stream(out)
	}
}

// callback runs a result or error callback for one outcome.
func (c *collector) callback(st *dsl.Stage, out *outcome, name string, value any) {
	if st == nil {
		return
	}
	c.rn.setItem(out.rec.Item, out.rec.Index)
	env := c.rn.ev.env
	env["item"], env["index"], env[name] = out.rec.Item, out.rec.Index, value
	c.runCallback(st)
}

// runCallback runs a callback stage under its policy.
func (c *collector) runCallback(st *dsl.Stage) {
	started := time.Now()
	_, err, act, _ := c.rn.withPolicy(st, c.r.hooks, started)
	if obs := c.r.eng.Observer; obs != nil {
		obs.StageFinished(StageRecord{Stage: st.Name, Worker: -1, Index: c.rn.index, Duration: time.Since(started), Err: err})
	}
	switch act {
	case actSkip:
		c.sum.CallbackFailed++
		if len(c.sum.CallbackFailures) < MaxListedFailures {
			c.sum.CallbackFailures = append(c.sum.CallbackFailures, err)
		}
		if obs := c.r.eng.Observer; obs != nil {
			obs.CallbackFailed(err)
		}
	case actAbort:
		c.r.abort(endedBy(KindCallback, err))
	case actDrain:
		c.r.drain(endedBy(KindCallback, err))
	}
}

// summary returns what the collector counted.
func (c *collector) summary() *Summary {
	s := c.sum
	c.r.mu.Lock()
	s.RetiredWorkers = append([]*Error(nil), c.r.retiredErrs...)
	c.r.mu.Unlock()
	return &s
}

// ring holds outcomes by index while they wait to be delivered in order.
// At most window items are in flight (each holds a slot from before it is
// read until it is delivered), so the indexes waiting always lie within
// window of the next one to deliver. The ring starts small and doubles
// when an index does not fit, up to window, so that a large window costs
// memory only when items really wait behind a slow one; while every index
// waiting lies within its length of the next, index % length never
// collides.
type ring struct {
	slots []outcome
	full  []bool
	max   int // the window: the ring never needs more
}

// ringStart is the ring's first length.
const ringStart = 64

func newRing(window int) ring {
	n := min(window, ringStart)
	return ring{slots: make([]outcome, n), full: make([]bool, n), max: window}
}

// put stores the outcome of index, which is at most window past next, the
// index to deliver next.
func (r *ring) put(index, next int, out outcome) {
	for index-next >= len(r.slots) && len(r.slots) < r.max {
		r.grow()
	}
	i := index % len(r.slots)
	r.slots[i], r.full[i] = out, true
}

// grow doubles the ring, moving each waiting outcome to its new place.
func (r *ring) grow() {
	n := min(2*len(r.slots), r.max)
	slots, full := make([]outcome, n), make([]bool, n)
	for i, ok := range r.full {
		if ok {
			j := r.slots[i].rec.Index % n
			slots[j], full[j] = r.slots[i], true
		}
	}
	r.slots, r.full = slots, full
}

// take removes and returns the outcome of index, if it is there.
func (r *ring) take(index int) (outcome, bool) {
	i := index % len(r.slots)
	if !r.full[i] || r.slots[i].rec.Index != index {
		return outcome{}, false
	}
	out := r.slots[i]
	r.slots[i], r.full[i] = outcome{}, false
	return out, true
}
