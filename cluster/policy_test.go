package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/poolflow/poolflow/runtime"
)

// records keeps every item record the collector saw.
type records struct {
	runtime.NopObserver
	mu   sync.Mutex
	recs map[int]runtime.ItemRecord
}

func (r *records) ItemFinished(rec runtime.ItemRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.recs == nil {
		r.recs = map[int]runtime.ItemRecord{}
	}
	r.recs[rec.Index] = rec
}

func TestRetryRunsOnTheWorkerAndSkipIsTheCollectors(t *testing.T) {
	// Item 1 fails its first attempt and is retried where it runs; item 2
	// always fails and is skipped, the fallback evaluated by the collector.
	src := `version: 1
name: t
workers: 2
items: {range: [0, 4]}
map:
  steps:
    - if: item == 2 || (item == 1 && attempt == 1)
      expr: fail("no")
    - expr: item
  on_error: {retry: {attempts: 2, delay: 1ms}, then: skip, fallback: -1}
output: {value: results, to: "-"}
`
	obs := &records{}
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src, obs: obs}
	sum, err := d.submit(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(d.out.String()), ""); got != "[0,1,-1,3]" {
		t.Fatalf("output %q", got)
	}
	if sum.Stats.Retried != 2 || sum.Stats.Fallbacks != 1 || sum.Stats.Skipped != 1 {
		t.Fatalf("stats %+v", sum.Stats)
	}
	if r := obs.recs[1]; len(r.Attempts) != 2 || r.Runs != 1 || r.Node == "" {
		t.Fatalf("item 1: %+v", r)
	}
}

func TestMaxFailuresCountsEveryMachine(t *testing.T) {
	src := `version: 1
name: t
workers: 2
items: {range: [0, 10]}
map:
  steps:
    - expr: fail("no")
  on_error: {then: skip, max_failures: 3}
`
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src}
	_, err := d.submit(2, 2)
	var e *runtime.Error
	if !errors.As(err, &e) || !e.Outcome.Budget {
		t.Fatalf("got %v, want the failure that passed max_failures", err)
	}
}

func TestInitializerRunsPerSlotAndAbortEndsTheRun(t *testing.T) {
	src := `version: 1
name: t
workers: 2
items: {range: [0, 3]}
initializer:
  steps:
    - expr: fail("no database")
  on_error: abort-all
map:
  steps:
    - expr: item
`
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src}
	_, err := d.submit(1, 2)
	var e *runtime.Error
	if !errors.As(err, &e) || e.Kind != runtime.KindInit || !strings.Contains(e.Message(), "no database") {
		t.Fatalf("got %v, want the initializer's failure", err)
	}
}

func TestEverySlotRetiredEndsTheRun(t *testing.T) {
	src := `version: 1
name: t
workers: 2
items: {range: [0, 3]}
initializer:
  steps:
    - expr: fail("no database")
  on_error: skip
map:
  steps:
    - expr: item
`
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src}
	_, err := d.submit(2, 1)
	var e *runtime.Error
	if !errors.As(err, &e) || e.Kind != runtime.KindInit || !strings.HasPrefix(e.Message(), "no worker could start") {
		t.Fatalf("got %v, want no worker could start", err)
	}
}

// TestAbortAllReachesEveryWorker measures the time from the state key
// saying aborted to every worker having stopped, its sleep killed.
func TestAbortAllReachesEveryWorker(t *testing.T) {
	dir := t.TempDir()
	src := `version: 1
name: t
workers: 3
items: [bad, slow-1, slow-2]
map:
  steps:
    - if: item == "bad"
      sh: 'while [ ! -e slow-1 ] || [ ! -e slow-2 ]; do sleep 0.01; done; exit 3'
    - sh: 'touch ${item}; sleep 30'
  on_error: abort-all
`
	var aborted time.Time
	var watching sync.WaitGroup
	d := &distributed{t: t, url: startServer(t), dir: dir, src: src}
	d.started = func(ctx context.Context, sub *Submitter) {
		w, err := sub.kv.Watch(ctx, "state", jetstream.UpdatesOnly())
		if err != nil {
			t.Fatal(err)
		}
		watching.Add(1)
		go func() {
			defer watching.Done()
			for e := range w.Updates() {
				if e != nil && string(e.Value()) == stateAborted {
					aborted = time.Now()
					w.Stop()
				}
			}
		}()
	}
	started := time.Now()
	_, err := d.submit(3, 1)
	watching.Wait()
	var e *runtime.Error
	if !errors.As(err, &e) || e.Index != 0 {
		t.Fatalf("got %v, want item 0's failure", err)
	}
	latest := slicesMax(d.served)
	if aborted.IsZero() || latest.Sub(started) > 20*time.Second {
		t.Fatalf("aborted at %v, workers done at %v", aborted, d.served)
	}
	// A generous bound for a loaded machine under -race; the figure is
	// the benchmark's to report.
	if lag := latest.Sub(aborted); lag > time.Second {
		t.Fatalf("the last worker stopped %v after the abort", lag)
	}
	t.Logf("every worker stopped within %v of the abort", latest.Sub(aborted))
}

func slicesMax(ts []time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// TestAnItemAWorkerDiedWithRunsAgainOnce: a dead worker's message (taken,
// never acked) is handed out again after the ack wait, and its item ends
// once, marked as run twice. The dead worker's late result is dropped:
// the first one stored wins.
func TestAnItemAWorkerDiedWithRunsAgainOnce(t *testing.T) {
	src := `version: 1
name: t
workers: 1
window: 1
items: {range: [0, 3]}
map:
  steps:
    - expr: item * 10 + 1
output: {value: results, to: "-"}
`
	var kv jetstream.KeyValue
	late := make(chan error, 1)
	obs := &lateResult{kv: &kv, late: late}
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src, obs: obs, ackWait: 200 * time.Millisecond}
	d.gate = make(chan struct{})
	d.started = func(ctx context.Context, sub *Submitter) {
		kv = sub.kv
		dead := connect(t, d.url) // takes item 0, then says nothing more
		cons, err := dead.JS.Consumer(ctx, streamName("t"), consumerName)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer close(d.gate)
			if _, err := cons.Next(jetstream.FetchContext(ctx)); err != nil {
				t.Error(err)
			}
		}()
	}
	if _, err := d.submit(1, 1); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(d.out.String()), ""); got != "[1,11,21]" {
		t.Fatalf("output %q", got)
	}
	if r := obs.recs[0]; r.Runs != 2 || r.Node != "na" {
		t.Fatalf("item 0: %+v", r)
	}
	if err := <-late; !errors.Is(err, jetstream.ErrKeyExists) {
		t.Fatalf("a late second result: %v, want it refused", err)
	}
}

// lateResult stores a second result for item 0 once the first has been
// delivered, as a worker that was thought dead would.
type lateResult struct {
	records
	kv   *jetstream.KeyValue
	late chan error
}

func (l *lateResult) ItemFinished(rec runtime.ItemRecord) {
	l.records.ItemFinished(rec)
	if rec.Index == 0 {
		data, _ := encodeResult(runtime.Ran{Verdict: runtime.VerdictOK, Result: 7, Attempts: 1}, "dead", 1)
		_, err := (*l.kv).Create(context.Background(), resultKey(0), data)
		l.late <- err
	}
}

func TestAWorkerWithoutTheProgramRefuses(t *testing.T) {
	url := startServer(t)
	src := "version: 1\nname: t\nitems: [a]\nmap:\n  steps:\n    - exec: [poolflow-no-such-tool, x]\n"
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	runCtx, end := context.WithCancelCause(ctx)
	defer end(nil)
	sub, err := Submit(ctx, connect(t, url), Pipeline{Run: "t", File: filepath.Join(dir, "p.yaml"), Dir: dir, Source: src,
		Hash: Hash([]byte(src), nil)}, end, Events{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Finish(context.Background(), true)
	w := &Worker{Conn: connect(t, url), Slots: 1, Run: "t", Node: "n"}
	err = w.Serve(runCtx)
	if err == nil || err.Error() != `run t: refused: program "poolflow-no-such-tool" is not on PATH` || !errors.Is(err, ErrRefused) {
		t.Fatalf("got %v", err)
	}
	info, ierr := w.Conn.JS.Stream(ctx, streamName("t"))
	if ierr != nil {
		t.Fatal(ierr)
	}
	if st, _ := info.Info(ctx); st.State.Msgs != 0 {
		t.Fatalf("%d messages", st.State.Msgs)
	}
}

// TestTheRunsTimeoutAndAnInterruptEndItEverywhere: the submitter's run
// ending (its timeout, or SIGINT, which cancels its context) stops every
// worker, killing the sleeps they run.
func TestTheRunsTimeoutAndAnInterruptEndItEverywhere(t *testing.T) {
	for _, tc := range []struct {
		name, timeout string
		kind          runtime.Kind
	}{{"timeout", "timeout: 300ms\n", runtime.KindTimeout}, {"interrupt", "", runtime.KindInterrupted}} {
		t.Run(tc.name, func(t *testing.T) {
			src := "version: 1\nname: t\nworkers: 2\n" + tc.timeout + "items: {range: [0, 4]}\nmap:\n  steps:\n    - sh: 'touch started-${item}; sleep 30'\n"
			dir := t.TempDir()
			d := &distributed{t: t, url: startServer(t), dir: dir, src: src}
			if tc.kind == runtime.KindInterrupted {
				d.interrupt = func() bool {
					n, _ := filepath.Glob(filepath.Join(dir, "started-*"))
					return len(n) == 4
				}
			}
			started := time.Now()
			_, err := d.submit(2, 2)
			var e *runtime.Error
			if !errors.As(err, &e) || e.Kind != tc.kind {
				t.Fatalf("got %v, want kind %s", err, tc.kind)
			}
			if took := slicesMax(d.served).Sub(started); took > 10*time.Second {
				t.Fatalf("the workers stopped after %v", took)
			}
		})
	}
}

// TestAResultTooLargeForTheServerEndsTheRun: a result over max_payload
// would never be stored; the run ends with kind cluster instead of
// handing the item out for ever.
func TestAResultTooLargeForTheServerEndsTheRun(t *testing.T) {
	src := "version: 1\nname: t\nitems: [1]\nmap:\n  steps:\n    - expr: repeat(\"x\", 2000000)\n"
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src}
	_, err := d.submit(1, 1)
	var e *runtime.Error
	if !errors.As(err, &e) || e.Kind != runtime.KindCluster || !strings.Contains(e.Message(), "does not fit the server's max_payload") {
		t.Fatalf("got %v, want kind cluster", err)
	}
}

// TestTheInitializerRunsOncePerRemoteSlot: each slot of each worker runs
// the initializer once, and its items see its values; the submitter runs
// none.
func TestTheInitializerRunsOncePerRemoteSlot(t *testing.T) {
	dir := t.TempDir()
	src := `version: 1
name: t
workers: 2
items: {range: [0, 8]}
initializer:
  steps:
    - sh: echo init >> inits.txt
    - name: tag
      expr: '"slot-" + string(worker.id)'
map:
  steps:
    - expr: worker.tag
output: {value: results, to: "-"}
`
	d := &distributed{t: t, url: startServer(t), dir: dir, src: src}
	if _, err := d.submit(2, 2); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "inits.txt"))
	if n := strings.Count(string(b), "init\n"); n != 4 {
		t.Fatalf("the initializer ran %d times, want 4 (2 workers of 2 slots)", n)
	}
	for _, tag := range strings.FieldsFunc(d.out.String(), func(r rune) bool { return strings.ContainsRune("[], \n\"", r) }) {
		if tag != "slot-0" && tag != "slot-1" {
			t.Fatalf("an item saw worker.tag %q", tag)
		}
	}
}

// drainGate is an observer that writes the file "drained" in dir once the
// run began to drain, so that an item can wait for it.
type drainGate struct {
	records
	dir string
}

func (g *drainGate) Draining(*runtime.Error) {
	os.WriteFile(filepath.Join(g.dir, "drained"), nil, 0o644)
}

// Item 0 fails under then: drain while item 1 runs: item 1 finishes and
// is delivered, the items handed out that no slot took come back from
// the queue as not started, and no item after them is read.
func TestDrainAcrossMachinesLetsTheRunningItemsFinish(t *testing.T) {
	src := `version: 1
name: t
workers: 2
window: 4
items: {range: [0, 20]}
map:
  steps:
    - sh: |
        if [ ${item} = 0 ]; then until [ -e started-1 ]; do sleep 0.01; done; exit 3; fi
        if [ ${item} = 1 ]; then touch started-1; until [ -e drained ]; do sleep 0.01; done; fi
        echo ${item}
  on_error: drain
`
	dir := t.TempDir()
	obs := &drainGate{dir: dir}
	d := &distributed{t: t, url: startServer(t), dir: dir, src: src, obs: obs}
	sum, err := d.submit(1, 2)
	var e *runtime.Error
	if !errors.Is(err, runtime.ErrDrained) || !errors.As(err, &e) || e.Index != 0 {
		t.Fatalf("got %v, want the run drained by item 0's failure", err)
	}
	if r := obs.recs[0]; r.Status != runtime.StatusFailed {
		t.Errorf("item 0 is %s, want failed", r.Status)
	}
	if r := obs.recs[1]; r.Status != runtime.StatusOK {
		t.Errorf("item 1, running when the drain began, is %s, want ok", r.Status)
	}
	// The window's first four items are published at once, in any order:
	// the two beside items 0 and 1 may run before them, and a slot that
	// pulled one as the drain reached it runs it, so at most four more
	// than item 1 ran. The others came back from the queue (or the run
	// would never end) or were never read.
	if sum.Stats.OK > 5 || sum.NotStarted+sum.Stats.OK+1 != 20 {
		t.Errorf("%d ok, %d not started, want item 1 and at most 4 more ok, the rest not started", sum.Stats.OK, sum.NotStarted)
	}
}

// A remote slot's initializer failing under then: drain: that slot takes
// no item and the run drains with its failure.
func TestAnInitializerOnAWorkerDrainsTheRun(t *testing.T) {
	src := `version: 1
name: t
workers: 2
items: {range: [0, 5]}
initializer:
  steps:
    - expr: fail("no database")
  on_error: drain
map:
  steps:
    - expr: item
`
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src}
	_, err := d.submit(1, 1)
	var e *runtime.Error
	if !errors.Is(err, runtime.ErrDrained) || !errors.As(err, &e) || !strings.Contains(e.Message(), "no database") {
		t.Fatalf("got %v, want the run drained by the initializer's failure", err)
	}
}
