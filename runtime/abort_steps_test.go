package runtime

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/expr-lang/expr"
)

// ignoring registers hold(n): for n == 0 it waits until the run is
// cancelled and then returns as if nothing happened, as a builtin that
// does not watch its context would; for other n it returns once hold(0)
// has been entered. It lets a test hold one worker inside a step while
// another aborts the run, whichever worker starts first.
func ignoring() expr.Option {
	entered := make(chan struct{})
	var once sync.Once
	return expr.Function("hold", func(args ...any) (any, error) {
		ctx, n := args[0].(context.Context), args[1].(int)
		if n == 0 {
			once.Do(func() { close(entered) })
			select {
			case <-ctx.Done():
			case <-time.After(testDeadline):
			}
			return n, nil
		}
		select {
		case <-entered:
		case <-time.After(testDeadline):
		}
		return n, nil
	}, new(func(context.Context, int) int))
}

// A step of an item that is running when another worker aborts the run
// must be the item's last: its later steps never start.
func TestAbortStopsRunningItemBetweenSteps(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 2
items: [0, 1]
map:
  steps:
    - expr: hold(item)
    - assert: item != 1
    - expr: append_file("after.txt", string(item))
`, ignoring())
	e := abortError(t, o.err)
	if e.Index != 1 || e.Kind != KindAssert {
		t.Fatalf("the run ended with %v, want item 1's assert", e)
	}
	if got := fileLines(t, dir, "after.txt"); got != nil {
		t.Errorf("after.txt = %q: item 0 went on to its later steps after the abort", got)
	}
	if got := rec.record(t, 0).Status; got != StatusCancelled {
		t.Errorf("item 0 is %s, want %s", got, StatusCancelled)
	}
}

// The same holds for the initializer: a worker whose initializer is
// running when the run aborts does not start its next initializer step.
func TestAbortStopsRunningInitializerBetweenSteps(t *testing.T) {
	o, _, dir := observe(t, `version: 1
name: t
workers: 2
items: [0]
initializer:
  steps:
    - expr: hold(worker.id)
    - assert: worker.id != 1
    - expr: append_file("after.txt", string(worker.id))
map:
  steps:
    - expr: item
`, ignoring())
	e := abortError(t, o.err)
	if e.Kind != KindInit || e.Worker != 1 {
		t.Fatalf("the run ended with %v, want worker 1's initializer", e)
	}
	if got := fileLines(t, dir, "after.txt"); got != nil {
		t.Errorf("after.txt = %q: worker 0 went on with its initializer after the abort", got)
	}
}
