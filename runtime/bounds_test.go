package runtime

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// longExpr runs about 10^8 closure steps in little memory; unstopped, it
// takes seconds (minutes under the race detector). Its limits line keeps
// the element budget above what it builds, whatever the machine.
const longExpr = `reduce(1..(item*100000), #acc + reduce(1..1000, #acc + # % 7, 0), 0)`

// stopBound is how soon after a timeout, abort or cancellation a run must
// return. spec.md asks for 100ms; the margin is wide for loaded machines
// and the race detector.
const stopBound = 2 * time.Second

func TestMapTimeoutStopsAnExpression(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
workers: 1
items: [1]
limits: {memory: 4GiB}
map:
  timeout: 200ms
  steps:
    - name: long
      expr: '`+longExpr+`'
`)
	e := abortError(t, o.err)
	if got, want := e.Error(), `map/long: item 0 (1): timed out after 200ms (map.timeout, per attempt)`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if e.Kind != KindTimeout {
		t.Errorf("kind = %s, want timeout", e.Kind)
	}
	// Where the timeout is seen: a closure of the outer reduce (the whole
	// expression, so no part of it is shown) or of the inner one, or a
	// range being built.
	switch e.Evidence.Expr {
	case "", "reduce(1..1000, #acc + # % 7, 0)", "1..(item*100000)", "1..1000":
	default:
		t.Errorf("the error points at %q, want a reduce call or a range of the expression", e.Evidence.Expr)
	}
	if rec.record(t, 0).Status != StatusFailed {
		t.Errorf("status = %s, want failed", rec.record(t, 0).Status)
	}
	if o.elapsed > stopBound {
		t.Errorf("the run took %s, want it to end soon after the 200ms timeout", o.elapsed)
	}
}

func TestStepTimeoutStopsAnExpression(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
workers: 1
items: [1]
limits: {memory: 4GiB}
map:
  steps:
    - name: long
      expr: '`+longExpr+`'
      timeout: 100ms
`)
	e := abortError(t, o.err)
	if got, want := e.Error(), `map/long: item 0 (1): timed out after 100ms (the step's timeout)`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if o.elapsed > stopBound {
		t.Errorf("the run took %s, want it to end soon after the 100ms timeout", o.elapsed)
	}
}

func TestRunTimeoutStopsAnExpression(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
workers: 1
timeout: 200ms
items: [1]
limits: {memory: 4GiB}
map:
  steps:
    - name: long
      expr: '`+longExpr+`'
`)
	e := abortError(t, o.err)
	if got, want := e.Error(), `run: the run's timeout of 200ms passed`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if e.Kind != KindTimeout || o.sum.Cancelled != 1 || rec.record(t, 0).Status != StatusCancelled {
		t.Errorf("kind %s, %d cancelled, item 0 %s; want timeout, 1, cancelled", e.Kind, o.sum.Cancelled, rec.record(t, 0).Status)
	}
	if o.elapsed > stopBound {
		t.Errorf("the run took %s, want it to end soon after the 200ms timeout", o.elapsed)
	}
}

func TestAbortAllStopsAnotherWorkersExpression(t *testing.T) {
	started := make(chan struct{})
	var once sync.Once
	var failedAt time.Time
	rec := newRecorder()
	plan := loadPlan(t, t.TempDir(), `version: 1
name: t
workers: 2
items: [0, 1]
limits: {memory: 4GiB}
map:
  steps:
    - name: long
      expr: 'item == 0 ? started() + `+strings.ReplaceAll(longExpr, "item*", "")+` : wait_started() + fail("boom")'
`, rec.capture(), hook("started", func() int { once.Do(func() { close(started) }); return 0 }),
		hook("wait_started", func() int { // item 1 fails once item 0's expression runs
			waitFor(started)
			failedAt = time.Now()
			return 0
		}))
	o := testRun{t: t, plan: plan, observer: rec}.run()
	returned := time.Now()
	e := abortError(t, o.err)
	if got, want := e.Error(), `map/long: item 1 (1): boom`; got != want || e.Kind != KindFail {
		t.Errorf("error = %q (kind %s), want %q (kind fail)", got, e.Kind, want)
	}
	if got := rec.record(t, 0).Status; got != StatusCancelled {
		t.Errorf("item 0 is %s, want cancelled", got)
	}
	if took := returned.Sub(failedAt); took > stopBound {
		t.Errorf("Run returned %s after the failure, want under %s", took, stopBound)
	}
}

func TestAbortAllStopsARangeBeingBuilt(t *testing.T) {
	// 1..n is one step of expr's machine, which fills the whole list: the
	// guard builds it instead, looking at the context as it goes. (The
	// list's allocation, which Go may have to clear, cannot be stopped: at
	// 1.6 GB, clearing memory the OS took back took 2.7 s on a 2-core VM,
	// so the list here is 320 MB, which still takes long to fill.)
	started := make(chan struct{})
	var once sync.Once
	var failedAt time.Time
	rec := newRecorder()
	plan := loadPlan(t, t.TempDir(), `version: 1
name: t
workers: 2
items: [0, 1]
limits: {memory: 1GiB}
map:
  steps:
    - name: long
      expr: 'item == 0 ? started() + len(1..40000000) : wait_started() + fail("boom")'
`, rec.capture(), hook("started", func() int { once.Do(func() { close(started) }); return 0 }),
		hook("wait_started", func() int {
			waitFor(started)
			failedAt = time.Now()
			return 0
		}))
	o := testRun{t: t, plan: plan, observer: rec}.run()
	returned := time.Now()
	if e := abortError(t, o.err); e.Index != 1 || e.Kind != KindFail {
		t.Errorf("error = %q (kind %s), want item 1's fail", e.Error(), e.Kind)
	}
	if got := rec.record(t, 0).Status; got != StatusCancelled {
		t.Errorf("item 0 is %s, want cancelled", got)
	}
	if took := returned.Sub(failedAt); took > stopBound {
		t.Errorf("Run returned %s after the failure, want under %s", took, stopBound)
	}
}

func TestCancellingTheRunStopsAnExpression(t *testing.T) {
	// What SIGINT does: the caller cancels the run's context with
	// ErrInterrupted, here in the middle of the expression.
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var cancelledAt time.Time
	ticks := 0
	plan := loadPlan(t, t.TempDir(), `version: 1
name: t
workers: 1
items: [1]
limits: {memory: 4GiB}
map:
  steps:
    - name: long
      expr: 'reduce(1..(item*100000), #acc + tick() + reduce(1..1000, #acc + # % 7, 0), 0)'
`, hook("tick", func() int {
		if ticks++; ticks == 10 {
			cancelledAt = time.Now()
			cancel(ErrInterrupted)
		}
		return 0
	}))
	o := testRun{t: t, plan: plan, ctx: ctx}.run()
	returned := time.Now()
	e := abortError(t, o.err)
	if got, want := e.Error(), `run: interrupted`; got != want || e.Kind != KindInterrupted {
		t.Errorf("error = %q (kind %s), want %q (kind interrupted)", got, e.Kind, want)
	}
	if o.sum.Cancelled != 1 {
		t.Errorf("%d items cancelled, want 1", o.sum.Cancelled)
	}
	if took := returned.Sub(cancelledAt); took > stopBound {
		t.Errorf("Run returned %s after the cancellation, want under %s", took, stopBound)
	}
}

// memoryAttacks are expressions that would take far more memory than the
// machine has.
var memoryAttacks = []struct{ name, expr string }{
	{"a long range", `len(1..900000000)`},
	{"repeat of repeat", `repeat(repeat("a", 999999), 999999)`},
	{"maps of maps of maps", `len(map(1..1000, map(1..1000, map(1..1000, #))))`},
	{"toJSON of a long range", `len(toJSON(1..100000000))`},
	{"toJSON of one string many times", `let s = repeat("x", 1000000); len(toJSON(map(1..1000, s)))`},
	{"string of one list many times", `let l = 1..100000; len(string(map(1..1000, l)))`},
	{"join of one string many times", `let s = repeat("x", 1000000); len(join(map(1..1000, s), ","))`},
	{"replace that grows", `let s = repeat("a", 100000); len(replace(s, "a", s))`},
	{"split into bytes", `len(split(repeat("a", 10000000), ""))`},
	{"flatten of one list many times", `let l = 1..100000; len(flatten(map(1..1000, l)))`},
	{"a string doubling", `len(reduce(1..40, #acc + #acc, "a"))`},
	{"a list doubling", `len(reduce(1..40, concat(#acc, #acc), [1]))`},
	{"distinct big strings", `len(map(1..1000, repeat("x", 1000000) + string(#)))`},
}

func TestMemoryLimitStopsAnExpression(t *testing.T) {
	// A small limit keeps the attacks that do build something (maps of
	// maps, concat) fast under the race detector.
	for _, tt := range memoryAttacks {
		t.Run(tt.name, func(t *testing.T) {
			before := resetPeakRSS()
			o, rec, _ := observe(t, `version: 1
name: t
workers: 1
items: [1]
limits: {memory: 16MiB}
map:
  steps:
    - name: big
      expr: '`+tt.expr+`'
`)
			e := abortError(t, o.err)
			if got, want := e.Error(), `map/big: item 0 (1): memory limit of 16MiB passed (limits.memory)`; got != want || e.Kind != KindLimit {
				t.Errorf("error = %q (kind %s), want %q (kind limit)", got, e.Kind, want)
			}
			if len(rec.retries) != 0 {
				t.Errorf("retried %d times, want none", len(rec.retries))
			}
			if o.elapsed > 10*time.Second { // seconds under the race detector on a loaded machine
				t.Errorf("the run took %s, want it to fail at once", o.elapsed)
			}
			if grew, ok := rssGrowth(before); ok && grew > 1<<30 {
				t.Errorf("the test process grew by %d MiB, want it to stay far below the machine's memory", grew>>20)
			}
		})
	}
}

func TestMemoryLimitStopsATemplate(t *testing.T) {
	// The list is small; its text, for the command line, is not.
	for _, step := range []string{`sh: 'true ${ map(1..1000, s) }'`, `exec: [true, '${ map(1..1000, s) }']`,
		`assert: 'false'
      message: '${ map(1..1000, s) }'`} {
		t.Run(step, func(t *testing.T) {
			o, _ := runYAML(t, `version: 1
name: t
workers: 1
items: [1]
limits: {memory: 16MiB}
map:
  steps:
    - name: s
      expr: repeat("x", 1000000)
    - name: big
      `+step+`
`)
			e := abortError(t, o.err)
			if got, want := e.Error(), `map/big: item 0 (1): memory limit of 16MiB passed (limits.memory)`; got != want || e.Kind != KindLimit {
				t.Errorf("error = %q (kind %s), want %q (kind limit)", got, e.Kind, want)
			}
		})
	}
}

func TestMemoryLimitIsNotRetriedUnlessAsked(t *testing.T) {
	for _, tt := range []struct {
		when     string
		attempts int
	}{{"", 1}, {`when: error.kind == "limit"`, 3}} {
		t.Run(tt.when, func(t *testing.T) {
			o, rec, _ := observe(t, `version: 1
name: t
workers: 1
items: [1]
limits: {memory: 64MiB}
map:
  steps:
    - expr: 'len(1..900000000)'
  on_error:
    retry:
      attempts: 3
      `+tt.when+`
`)
			e := abortError(t, o.err)
			if e.Kind != KindLimit || e.Attempt != tt.attempts || len(rec.retries) != tt.attempts-1 {
				t.Errorf("kind %s, attempt %d, %d retries; want limit, %d, %d", e.Kind, e.Attempt, len(rec.retries), tt.attempts, tt.attempts-1)
			}
		})
	}
}

func TestMemoryLimitLeavesSmallExpressionsAlone(t *testing.T) {
	o, _ := runYAML(t, `version: 1
name: t
workers: 1
items: [3]
limits: {memory: 64MiB}
map:
  steps:
    - expr: 'len(toJSON(map(1..100000, # * item))) + len(repeat("ab", 100000)) + len(split("a,b,c", ","))'
output:
  format: json
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[\n  1162970\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

// resetPeakRSS makes the kernel forget the process's peak resident size,
// so that it measures from now, and returns the resident size now; -1
// where /proc cannot tell.
func resetPeakRSS() int64 {
	if os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) != nil {
		return -1
	}
	n, ok := procStatus("VmRSS:")
	if !ok {
		return -1
	}
	return n
}

// rssGrowth returns how much the peak resident size since resetPeakRSS
// passed before, what resetPeakRSS returned. Memory the runtime keeps from
// earlier tests does not count; what the race detector adds does.
func rssGrowth(before int64) (int64, bool) {
	peak, ok := procStatus("VmHWM:")
	return peak - before, ok && before >= 0
}

// procStatus reads a size in bytes from /proc/self/status.
func procStatus(key string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// BenchmarkClosures measures what the check in every closure body costs:
// each run evaluates one expression of 100,000 closure steps.
func BenchmarkClosures(b *testing.B) {
	for _, expr := range []string{`reduce(1..100000, #acc + # % 7, 0)`, `len(filter(1..100000, # % 2 == 0))`,
		`sum(map(1..100000, # * 2))`, `all(1..100000, # > 0)`} {
		b.Run(expr, func(b *testing.B) {
			plan := loadPlan(b, b.TempDir(), `version: 1
name: bench
workers: 1
items: [1]
map:
  steps:
    - expr: '`+expr+`'
`)
			eng := &Engine{Stdout: discard{}, Log: func(string) {}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := eng.Run(context.Background(), plan); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100000, "ns/step")
		})
	}
}
