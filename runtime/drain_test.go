package runtime

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/expr-lang/expr"
)

// drainGate orders a drain test without sleeping: hold(item) tells that
// the item is running and then blocks until the run has begun to drain
// (the observer hears Draining) or its step is cancelled; trigger() blocks
// until n items are holding, so that the failure that drains comes while
// they run.
type drainGate struct {
	*recorder
	entered  chan struct{}
	drained  chan struct{}
	once     sync.Once
	mu       sync.Mutex
	causes   []*Error
	onDrain  func()
	expected int
}

func newDrainGate(holding int) *drainGate {
	return &drainGate{recorder: newRecorder(), entered: make(chan struct{}, 64), drained: make(chan struct{}), expected: holding}
}

func (g *drainGate) Draining(cause *Error) {
	g.mu.Lock()
	g.causes = append(g.causes, cause)
	g.mu.Unlock()
	g.once.Do(func() { close(g.drained) })
	if g.onDrain != nil {
		g.onDrain()
	}
}

func (g *drainGate) options() []expr.Option {
	hold := expr.Function("hold", func(args ...any) (any, error) {
		ctx := args[0].(context.Context)
		select {
		case g.entered <- struct{}{}:
		default:
		}
		select {
		case <-g.drained:
			return true, nil
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}, new(func(context.Context, int) bool))
	trigger := expr.Function("trigger", func(args ...any) (any, error) {
		ctx := args[0].(context.Context)
		for range g.expected {
			select {
			case <-g.entered:
			case <-ctx.Done():
				return false, ctx.Err()
			}
		}
		return true, nil
	}, new(func(context.Context, int) bool))
	return []expr.Option{hold, trigger, g.capture()}
}

func (g *drainGate) run(t *testing.T, src string, ctx context.Context) (outcomeOf, string) {
	t.Helper()
	dir := t.TempDir()
	plan := loadPlan(t, dir, src, g.options()...)
	return testRun{t: t, plan: plan, observer: g, ctx: ctx}.run(), dir
}

// drainPipeline: items 0 and 1 run on their own workers and hold until the
// run drains; item 2 waits until they hold, then fails. Item 1 also fails
// its first attempt after the drain began, to show that a running item's
// retries still run.
const drainPipeline = `version: 1
name: drain
workers: 3
items: {range: [0, 10]}
map:
  steps:
    - if: item < 2
      expr: hold(item)
    - if: item == 2
      expr: trigger(item)
    - assert: item != 2
    - if: item == 1 && attempt == 1
      expr: fail("first attempt")
  result: item * 10
  on_error: %s
callbacks:
  result:
    steps: [{expr: 'capture("result", result)'}]
  error:
    steps: [{expr: 'capture("error", error.index)'}]
  done:
    steps: [{expr: 'capture("done", true)'}]
output:
  to: out.json
%s`

const drainRetry = `{retry: {attempts: 2, delay: 1ms, when: 'error.kind == "fail"'}, then: drain}`

// TestDrainLetsRunningItemsFinish: then: drain stops the run from taking
// new items, lets the running ones finish (retries included), delivers
// them to the callbacks, and fails the run without done or output.
func TestDrainLetsRunningItemsFinish(t *testing.T) {
	g := newDrainGate(2)
	got, dir := g.run(t, fmt.Sprintf(drainPipeline, drainRetry, ""), nil)
	if !errors.Is(got.err, ErrDrained) || !errors.Is(got.err, ErrAborted) {
		t.Fatalf("Run returned %v, want ErrDrained (and ErrAborted)", got.err)
	}
	e := abortError(t, got.err)
	if e.Index != 2 || e.Kind != KindAssert || e.Outcome.String() != "retry, then drain" {
		t.Errorf("the run's error is item %d, kind %s, policy %q; want item 2, assert, %q", e.Index, e.Kind, e.Outcome, "retry, then drain")
	}
	wantStatus := map[int]Status{0: StatusOK, 1: StatusOK, 2: StatusFailed}
	if st := g.statuses(); !reflect.DeepEqual(st, wantStatus) {
		t.Errorf("statuses = %v, want %v", st, wantStatus)
	}
	if n := len(g.record(t, 1).Attempts); n != 2 {
		t.Errorf("item 1 had %d attempts, want 2: its retry runs during the drain", n)
	}
	results := g.values("result")
	slices.SortFunc(results, func(a, b any) int { return a.(int) - b.(int) })
	if !reflect.DeepEqual(results, []any{0, 10}) {
		t.Errorf("callbacks.result saw %v, want [0 10]", results)
	}
	if d := g.values("done"); len(d) != 0 {
		t.Errorf("callbacks.done ran for a drained run")
	}
	if fileLines(t, dir, "out.json") != nil {
		t.Errorf("a drained run wrote its output")
	}
	s := got.sum
	if !s.Drained || s.DrainedAt.IsZero() || s.Aborted || s.NotStarted != 7 || s.Stats.OK != 2 || s.Failed != 1 {
		t.Errorf("summary: drained %t at %v, aborted %t, %d not started, %d ok, %d failed; want drained, not aborted, 7, 2, 1",
			s.Drained, s.DrainedAt, s.Aborted, s.NotStarted, s.Stats.OK, s.Failed)
	}
	for _, i := range g.started {
		if i > 2 {
			t.Errorf("item %d started after the drain", i)
		}
	}
}

// TestMaxFailuresDrain: max_failures {limit, then: drain} drains when the
// budget passes; an item that fails during the drain is skipped as its
// policy says, and its error callback runs.
func TestMaxFailuresDrain(t *testing.T) {
	g := newDrainGate(2)
	policy := `{retry: {attempts: 2, delay: 1ms, when: 'error.kind == "nope"'}, then: skip, max_failures: {limit: 0, then: drain}}`
	got, _ := g.run(t, fmt.Sprintf(drainPipeline, policy, ""), nil)
	e := abortError(t, got.err)
	if !errors.Is(got.err, ErrDrained) || e.Index != 2 || e.Outcome.String() != "retry, then skip, max_failures, then drain" {
		t.Fatalf("Run returned %v (policy %q), want ErrDrained for item 2, policy %q", got.err, e.Outcome, "retry, then skip, max_failures, then drain")
	}
	wantStatus := map[int]Status{0: StatusOK, 1: StatusSkipped, 2: StatusFailed}
	if st := g.statuses(); !reflect.DeepEqual(st, wantStatus) {
		t.Errorf("statuses = %v, want %v", st, wantStatus)
	}
	if errs := g.values("error"); !reflect.DeepEqual(errs, []any{1}) {
		t.Errorf("callbacks.error saw %v, want [1]: the item that failed during the drain", errs)
	}
	if got.sum.NotStarted != 7 || !got.sum.Drained {
		t.Errorf("%d not started, drained %t; want 7, true", got.sum.NotStarted, got.sum.Drained)
	}
}

// TestDrainRequestWritesOutputWhenAsked: a caller's drain (a SIGINT with
// on_interrupt: drain) ends the run with kind interrupted once the
// running items finished, and output.on_drain: write writes what was
// delivered.
func TestDrainRequestWritesOutputWhenAsked(t *testing.T) {
	g := newDrainGate(0)
	ctx, drain := WithDrain(context.Background())
	go func() {
		for range 3 {
			select {
			case <-g.entered:
			case <-time.After(testDeadline):
				return
			}
		}
		drain(fmt.Errorf("%w by SIGINT", ErrInterrupted))
	}()
	got, dir := g.run(t, drainRequestPipeline, ctx)
	e := abortError(t, got.err)
	if !errors.Is(got.err, ErrDrained) || e.Kind != KindInterrupted || e.Message() != "interrupted by SIGINT" {
		t.Errorf("Run returned %v (%s: %s), want ErrDrained, interrupted: interrupted by SIGINT", got.err, e.Kind, e.Message())
	}
	want := map[int]Status{0: StatusOK, 1: StatusSkipped, 2: StatusOK}
	if st := g.statuses(); !reflect.DeepEqual(st, want) {
		t.Errorf("statuses = %v, want %v", st, want)
	}
	if out := fileLines(t, dir, "out.json"); !reflect.DeepEqual(out, []string{"[", "  0,", "  20", "]"}) {
		t.Errorf("out.json = %q, want the two results delivered", out)
	}
	if got.sum.NotStarted != 7 || !got.sum.Drained || got.sum.Aborted {
		t.Errorf("%d not started, drained %t, aborted %t; want 7, true, false", got.sum.NotStarted, got.sum.Drained, got.sum.Aborted)
	}
}

const drainRequestPipeline = `version: 1
name: drain-request
workers: 3
items: {range: [0, 10]}
map:
  steps:
    - if: item < 3
      expr: hold(item)
    - if: item == 1
      expr: fail("failed during the drain")
  result: item * 10
  on_error: skip
output:
  to: out.json
  on_drain: write
`

// TestCancelDuringDrain: cancelling a draining run (a second SIGINT)
// cancels the running items at once.
func TestCancelDuringDrain(t *testing.T) {
	g := newDrainGate(2)
	parent, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	g.onDrain = func() { cancel(fmt.Errorf("%w by SIGINT", ErrInterrupted)) }
	src := replaceOnce(fmt.Sprintf(drainPipeline, "drain", ""), "expr: hold(item)", "expr: hold(item) && sleep(duration(\"1h\")) == nil")
	got, _ := g.run(t, src, parent)
	e := abortError(t, got.err)
	if errors.Is(got.err, ErrDrained) || e.Kind != KindInterrupted {
		t.Errorf("Run returned %v, want an interruption, not a drain", got.err)
	}
	want := map[int]Status{0: StatusCancelled, 1: StatusCancelled, 2: StatusFailed}
	if st := g.statuses(); !reflect.DeepEqual(st, want) {
		t.Errorf("statuses = %v, want %v", st, want)
	}
	if !got.sum.Aborted || !got.sum.Drained {
		t.Errorf("aborted %t, drained %t; want both", got.sum.Aborted, got.sum.Drained)
	}
}

// TestCallbackAndInitializerDrain: then: drain in callbacks.result and in
// the initializer drains the run: the item running when the callback (or
// the other worker's initializer) fails finishes and is delivered; an
// item that finished before it is delivered too.
func TestCallbackAndInitializerDrain(t *testing.T) {
	tests := []struct {
		name, src string
		kind      Kind
		results   []any
	}{
		{"callback", `version: 1
name: callback-drain
workers: 2
items: {range: [0, 10]}
map:
  steps:
    - if: item > 0
      expr: hold(item)
  result: item * 10
callbacks:
  result:
    steps:
      - if: item == 0
        expr: trigger(item)
      - assert: item != 0
      - expr: 'capture("result", result)'
    on_error: drain
`, KindCallback, []any{10, 20}},
		{"initializer", `version: 1
name: init-drain
workers: 2
items: {range: [0, 10]}
initializer:
  steps:
    - if: worker.id == 1
      expr: trigger(0)
    - assert: worker.id != 1
  on_error: drain
map:
  steps:
    - expr: hold(item)
  result: item * 10
callbacks:
  result:
    steps: [{expr: 'capture("result", result)'}]
`, KindInit, []any{0}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newDrainGate(2 - i) // the callback waits for items 1 and 2 to hold, the initializer for item 0
			got, _ := g.run(t, tt.src, nil)
			e := abortError(t, got.err)
			if !errors.Is(got.err, ErrDrained) || e.Kind != tt.kind {
				t.Fatalf("Run returned %v (kind %s), want ErrDrained of kind %s", got.err, e.Kind, tt.kind)
			}
			if r := g.values("result"); !reflect.DeepEqual(r, tt.results) {
				t.Errorf("callbacks.result captured %v, want %v", r, tt.results)
			}
			if s := got.sum; s.NotStarted != 10-len(g.statuses()) || !s.Drained {
				t.Errorf("%d not started of 10 with %d finished, drained %t", s.NotStarted, len(g.statuses()), s.Drained)
			}
		})
	}
}
