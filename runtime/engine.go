package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// Engine runs plans. The zero Engine writes output to os.Stdout and log
// lines to os.Stderr. An Engine may run several plans at once; it is not
// changed by running.
type Engine struct {
	// Stdout receives output written to "-"; nil means os.Stdout.
	Stdout io.Writer
	// Stdin is where items: {lines: "-"} reads; nil means os.Stdin.
	Stdin io.Reader
	// Log receives each line log() writes; nil means os.Stderr.
	Log func(line string)
	// Observer hears about every item; nil means nobody listens.
	Observer Observer
	// Strict makes a warning about the run fail it: a source with no
	// items aborts it with kind source.
	Strict bool
	// Journal, when set, keeps every item that finishes and may give an
	// earlier run's outcome of an item in place of running it.
	Journal Journal
	// Remote, when set, runs the items' map stage elsewhere (remote.go).
	Remote Remote

	sleep func(context.Context, time.Duration) error // retry waits; tests fake it
	rand  func() float64                             // jitter; tests fake it
}

// MaxListedFailures is how many skipped callback failures a summary keeps
// whole; the others are counted (CallbackFailed), so that a callback that
// fails for every one of a million items costs no memory per item.
const MaxListedFailures = 100

// Summary is what a run did.
type Summary struct {
	Stats            dsl.Stats // ok, skipped, retried, fallbacks, total, elapsed
	Failed           int       // items whose failure ended the run: 0 or 1, more when several failed at the same moment
	Cancelled        int       // items running when the run was cancelled
	NotStarted       int       // items that never started: all of them when the source knows its length, else those read
	Unread           bool      // the run ended before the source's end, and the source does not know its length
	CallbackFailures []*Error  // the first MaxListedFailures callback failures skipped under their policy
	CallbackFailed   int       // callback failures skipped under their policy, all of them
	Reused           int       // items not run again: an earlier run's journal had them
	RetiredWorkers   []*Error  // initializer failures skipped under their policy
	Output           string    // where the output went: "-", a path resolved against plan.Dir, or "" for none
	Aborted          bool
	AbortedAt        time.Time // when the run was aborted or interrupted; zero when it ran to its end
	Drained          bool      // the run drained: it took no new item after DrainedAt and let the running ones finish
	DrainedAt        time.Time // when the drain began; zero when it did not drain
}

// job is an item on its way to a worker.
type job struct {
	index int
	item  any
}

// outcome is an item on its way from a worker to the collector.
type outcome struct {
	rec      ItemRecord
	result   any
	has      bool // result is set: the item succeeded, or was skipped with a fallback
	attempts int
	key      []byte // with a journal: the item's key
	deps     []Dep  // with a journal: the files it depended on
	encoded  []byte // reused: the journal's encoding of result
}

// run is the state of one Engine.Run.
type run struct {
	eng       *Engine
	plan      *dsl.Plan
	ctx       context.Context
	cancel    context.CancelCauseFunc
	hooks     hooks
	jobs      chan []job     // batches of items, from the feeder to the workers
	outcomes  chan []outcome // batches of outcomes, from the workers to the collector
	slots     *window        // one place per item in flight
	maxBatch  int
	workers   int             // goroutines taking items: workerCount
	perItem   atomic.Int64    // recent average nanoseconds per item, for batch sizes
	fed       int             // items read from the source; the feeder's, read after it ends
	unsent    int             // items read but never queued; the feeder's, read after it ends
	exhausted bool            // the source said io.EOF; the feeder's, read after it ends
	done      <-chan struct{} // ctx.Done(), kept: ended() tests it on the hot path
	finished  atomic.Int64    // items that succeeded or failed for good, counted only for a max_failures share
	failed    atomic.Int64    // items that failed for good
	retired   atomic.Int64    // workers whose initializer failed under skip
	started   time.Time
	stopWatch func() bool   // stops the watch that notes when the run's context ends
	stopped   chan struct{} // closed once stoppedAt is set
	stoppedAt time.Time

	drainState

	mu          sync.Mutex
	retiredErrs []*Error // why each retired worker could not start
	warned      sync.Map // the messages of builtins' warnings said so far
}

// Run runs the plan and returns what it did. The error is nil when the run
// succeeded; otherwise it matches ErrAborted and wraps the *Error that
// ended the run (and matches ErrDrained too when the run drained, and was
// not cancelled after). When Run returns, every goroutine and process it started
// has ended.
func (e *Engine) Run(parent context.Context, plan *dsl.Plan) (*Summary, error) {
	r := e.newRun(parent, plan)
	defer r.cancel(nil)
	defer r.stopNoMore()
	stdin := e.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	src, path, err := openNamedSource(r.ctx, plan, stdin)
	if err != nil {
		r.abort(sourceError(plan, err))
		return &Summary{Aborted: true, AbortedAt: r.abortedAt()}, r.err()
	}
	defer src.close()
	total := sourceLength(src) // before reading: a range counts what is left
	if e.Observer != nil {
		e.Observer.RunStarted(total)
	}
	stopRequests := r.watchDrainRequest(parent)
	col := r.start(src) // a run that ends early never reads the rest of its source
	stopRequests()
	defer col.rows.discard() // unless the output was written
	drained := r.isDrained()
	if r.ctx.Err() == nil && r.fed == 0 && !drained {
		r.noItems(path)
	}
	if r.ctx.Err() == nil && !drained {
		r.judgeFailures(col)
	}
	output := ""
	if r.ctx.Err() == nil && (!drained || r.plan.Output != nil && r.plan.Output.WriteDrained) {
		output = r.finish(col) // may record a done callback's failure
	}
	sum := col.summary()
	r.drainedSummary(sum)
	sum.Output = output
	sum.NotStarted += r.unsent
	if total >= 0 { // the source knows what was never read
		sum.NotStarted = total - sum.Stats.OK - sum.Stats.Skipped - sum.Failed - sum.Cancelled
	}
	sum.Unread = total < 0 && !r.exhausted
	sum.Stats.Elapsed = time.Since(r.started)
	sum.Aborted = r.ctx.Err() != nil
	sum.AbortedAt = r.abortedAt()
	return sum, r.err()
}

func (e *Engine) newRun(parent context.Context, plan *dsl.Plan) *run {
	n := e.workerCount(plan)
	r := &run{eng: e, plan: plan, started: time.Now(), workers: n,
		jobs: make(chan []job, n), outcomes: make(chan []outcome, n),
		slots: newWindow(plan.Window), maxBatch: min(maxBatch, max(1, plan.Window/(2*n)))}
	r.ctx, r.cancel = context.WithCancelCause(parent)
	if plan.Timeout > 0 {
		var stop context.CancelFunc
		r.ctx, stop = context.WithTimeoutCause(r.ctx, plan.Timeout, runError(KindTimeout, "run", dsl.Range{},
			&TimeoutError{Limit: plan.Timeout, What: "timeout", Err: context.DeadlineExceeded}))
		cancel := r.cancel
		r.cancel = func(cause error) { cancel(cause); stop() }
	}
	r.done = r.ctx.Done()
	r.initDrain()
	r.stopped = make(chan struct{})
	r.stopWatch = context.AfterFunc(r.ctx, func() { r.stoppedAt = time.Now(); close(r.stopped) })
	r.hooks = hooks{sleep: e.sleep, rand: e.rand}
	if r.hooks.sleep == nil {
		r.hooks.sleep = sleepContext
	}
	if r.hooks.rand == nil {
		r.hooks.rand = rand.Float64
	}
	if e.Observer != nil {
		r.hooks.onRetry = e.Observer.Retrying
	}
	return r
}

// start runs the feeder and the workers, and collects in this goroutine
// until every worker has ended.
func (r *run) start(src source) *collector {
	col := newCollector(r)
	col.openStream() // before any item: a file that cannot be opened costs no work
	var feeder, workers sync.WaitGroup
	feeder.Add(1)
	go r.feed(src, &feeder)
	for id := 0; id < r.workers; id++ {
		workers.Add(1)
		go r.work(id, &workers)
	}
	go func() { workers.Wait(); close(r.outcomes) }()
	col.loop()
	feeder.Wait()
	for batch := range r.jobs { // taken from the source, never started
		for _, j := range batch {
			col.notStarted(j)
		}
	}
	return col
}

// noItems says that the source gave no item: a warning, or under Strict
// the end of the run. The output is still written after a warning, as a
// run over no items is not a failure in itself.
func (r *run) noItems(path string) {
	w := NoItemsWarning(r.plan, noItems(r.plan.Items, path))
	if r.eng.Strict {
		r.abort(runError(KindSource, "items", dsl.At(w.Pos), fmt.Errorf("%s (--strict)", w.Message)))
		return
	}
	if r.eng.Observer != nil {
		r.eng.Observer.Warned(w)
	}
}

// warnFrom makes rn's builtins' warnings the run's: each message once per
// run, at the step that said it first.
func (r *run) warnFrom(rn *runner) *runner {
	rn.scope.Warn = func(message string) {
		if _, said := r.warned.LoadOrStore(message, true); said || r.eng.Observer == nil {
			return
		}
		r.eng.Observer.Warned(dsl.Diagnostic{Pos: rn.at, Span: 1, Severity: dsl.SeverityWarning, Code: "builtin", Message: message})
	}
	return rn
}

// abortedAt is when the run's context ended, whoever ended it (a failure,
// the run's timeout, the caller), or zero when it has not: the watch is
// stopped, or waited for when it has fired. Run calls it once, before its
// own deferred cancel.
func (r *run) abortedAt() time.Time {
	if r.stopWatch() {
		return time.Time{}
	}
	<-r.stopped
	return r.stoppedAt
}

// abort ends the run with err as its cause, unless it already ended.
func (r *run) abort(err *Error) { r.cancel(err) }

// ended reports whether the run's context is done. A non-blocking receive
// on Done is much cheaper than ctx.Err(), which takes a lock.
func (r *run) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// err is what Run returns: nil, ErrAborted wrapping the cause, or
// ErrDrained wrapping the drain's.
func (r *run) err() error {
	if r.ctx.Err() == nil {
		if r.draining() {
			return r.drainErr()
		}
		return nil
	}
	cause := context.Cause(r.ctx)
	var e *Error
	if !errors.As(cause, &e) {
		e = r.externalCause(cause)
	}
	return fmt.Errorf("%w: %w", ErrAborted, e)
}

// externalCause describes a cancellation that came from the caller.
func (r *run) externalCause(cause error) *Error {
	e := runError(KindCancelled, "run", dsl.Range{}, cause)
	if errors.Is(cause, ErrInterrupted) {
		e.Kind = KindInterrupted
	}
	return e
}

// feed reads items into the job queue in batches, each item taking a
// window place before it is read.
func (r *run) feed(src source, wg *sync.WaitGroup) {
	defer wg.Done()
	defer close(r.jobs)
	defer r.recoverPanic("items")
	for more := true; more; {
		var batch []job
		batch, more = r.readBatch(src)
		if len(batch) > 0 && !trySend(r.jobs, batch, r.noMore) {
			for _, j := range batch {
				r.notTaken(j)
			}
			return
		}
	}
}

// readBatch reads up to batchSize items; more is false once the source is
// spent, failed, or the run ended. It sends what it has rather than wait
// for a window place with items in hand.
func (r *run) readBatch(src source) (batch []job, more bool) {
	size := r.batchSize()
	batch = getJobs(size)
	for len(batch) < size {
		if r.stopping() || (!r.slots.tryAcquire() && (len(batch) > 0 || !r.slots.acquire(r.noMore))) {
			return batch, len(batch) > 0 && !r.stopping()
		}
		item, err := src.next()
		if err != nil {
			r.slots.release(1)
			r.exhausted = errors.Is(err, io.EOF)
			if !r.exhausted {
				r.abort(sourceError(r.plan, err))
			}
			return batch, false
		}
		batch = append(batch, job{r.fed, item})
		r.fed++
	}
	return batch, true
}

// sourceError is the failure of an item source that could not be read:
// kind source, or kind data for a row that does not fit its schema.
func sourceError(plan *dsl.Plan, err error) *Error {
	e := runError(KindSource, "items", dsl.At(plan.Items.Pos), err)
	if e.Evidence.Cell = cellOf(err); e.Evidence.Cell != nil {
		e.Kind = KindData
	}
	return e
}

// Batching amortises the hand-offs between goroutines over several items
// when items are quick: a batch aims at batchTarget of work, so a slow item
// goes alone and never holds quick ones back for long.
const (
	batchTarget = 50 * time.Microsecond
	maxBatch    = 256
)

// batchSize is how many items the next batch holds: one until the workers
// have measured how long an item takes.
func (r *run) batchSize() int {
	per := r.perItem.Load()
	if per <= 0 {
		return 1
	}
	return min(max(1, int(int64(batchTarget)/per)), r.maxBatch)
}

// noteBatch folds a batch's time per item into the running average.
func (r *run) noteBatch(n int, d time.Duration) {
	per := int64(d) / int64(n)
	if old := r.perItem.Load(); old > 0 {
		per = (7*old + per) / 8
	}
	r.perItem.Store(max(per, 1))
}

// trySend sends v on ch unless done closes first. It tries without
// blocking first: a select with a default is far cheaper than a blocking
// one, and the queue usually has room.
func trySend[T any](ch chan<- T, v T, done <-chan struct{}) bool {
	select {
	case ch <- v:
		return true
	default:
	}
	select {
	case ch <- v:
		return true
	case <-done:
		return false
	}
}

// notTaken reports an item read but never queued; only the feeder calls
// it, and Run reads unsent after the feeder ended.
func (r *run) notTaken(j job) {
	r.unsent++
	if obs := r.eng.Observer; obs != nil {
		obs.ItemNotStarted(j.index, j.item)
	}
}

// recoverPanic turns a panic in poolflow's own code into an abort with the
// stack, so that a bug ends the run cleanly instead of crashing it.
func (r *run) recoverPanic(stage string) {
	if v := recover(); v != nil {
		e := runError(KindPanic, stage, dsl.Range{}, fmt.Errorf("internal error: %v", v))
		e.Evidence.Callers = Callers(string(debug.Stack()))
		r.abort(e)
	}
}
