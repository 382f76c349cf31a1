package runtime

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/expr-lang/expr"
)

// sequencer makes items finish in a given order: gate(item) blocks until
// every item ranked before it has been recorded by the collector, which
// the sequencer hears as an Observer. No sleep orders anything.
type sequencer struct {
	NopObserver
	mu    sync.Mutex
	cond  *sync.Cond
	rank  map[int]int // item → its place in the finishing order
	count int         // items recorded so far
}

func newSequencer(order []int) *sequencer {
	s := &sequencer{rank: map[int]int{}}
	s.cond = sync.NewCond(&s.mu)
	for place, item := range order {
		s.rank[item] = place
	}
	return s
}

func (s *sequencer) ItemFinished(ItemRecord) {
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
	s.cond.Broadcast()
}

// gate is the function gate(ctx, item) pipelines call as their first step.
func (s *sequencer) gate() expr.Option {
	return expr.Function("gate", func(args ...any) (any, error) {
		ctx, item := args[0].(context.Context), args[1].(int)
		stop := context.AfterFunc(ctx, s.cond.Broadcast)
		defer stop()
		s.mu.Lock()
		defer s.mu.Unlock()
		for s.count < s.rank[item] && ctx.Err() == nil {
			s.cond.Wait()
		}
		return item, ctx.Err()
	}, new(func(context.Context, int) int))
}

// budgetPipeline is issue 16's pipeline with a gate in front and one
// worker per item, so that any finishing order can be forced.
const budgetPipeline = `version: 1
name: max-failures
workers: 10
window: 10
items: {range: [0, 10]}
map:
  steps:
    - expr: gate(item)
    - assert: item %% 2 == 0
  on_error:
    then: skip
    max_failures: %s
callbacks:
  done:
    steps:
      - expr: append_file("done.txt", "ran")
output:
  to: out.json
`

// finishingOrders are the orders a test forces: the ones that fooled the
// old rule (every failure first, the last one a success) and random ones.
func finishingOrders(n, random int) [][]int {
	evensLast, oddsFirst := []int{}, []int{}
	for i := range n {
		if i%2 == 1 {
			oddsFirst = append(oddsFirst, i)
		} else {
			evensLast = append(evensLast, i)
		}
	}
	orders := [][]int{append(oddsFirst, evensLast...), append(append([]int{}, evensLast...), oddsFirst...)}
	rng := rand.New(rand.NewPCG(16, 16))
	for range random {
		orders = append(orders, rng.Perm(n))
	}
	return orders
}

// Five of ten items fail against a budget of 20% (or of 2): whatever the
// order the items finish in, the run fails, done does not run and no
// output is written.
func TestMaxFailuresEveryFinishingOrder(t *testing.T) {
	for _, budget := range []string{"20%", "2"} {
		for i, order := range finishingOrders(10, 60) {
			t.Run(fmt.Sprintf("%s/%d", budget, i), func(t *testing.T) {
				seq := newSequencer(order)
				dir := t.TempDir()
				plan := loadPlan(t, dir, fmt.Sprintf(budgetPipeline, budget), seq.gate())
				o := testRun{t: t, plan: plan, observer: seq}.run()
				e := abortError(t, o.err)
				if e.Kind != KindAssert && e.Kind != KindMaxFailures {
					t.Fatalf("order %v: the run ended with %v, want the failure budget", order, e)
				}
				if got := fileLines(t, dir, "done.txt"); got != nil {
					t.Errorf("order %v: callbacks.done ran", order)
				}
				if got := fileLines(t, dir, "out.json"); got != nil {
					t.Errorf("order %v: the output was written", order)
				}
			})
		}
	}
}

// When the last item to finish is a success, a share is judged once more
// at the end: the run fails with kind max_failures and a message that
// names the budget, the count and the share, at the budget's position.
func TestMaxFailuresJudgedAtTheEnd(t *testing.T) {
	seq := newSequencer([]int{1, 3, 5, 7, 9, 0, 2, 4, 6, 8})
	plan := loadPlan(t, t.TempDir(), fmt.Sprintf(budgetPipeline, "60%"), seq.gate())
	o := testRun{t: t, plan: plan, observer: seq}.run()
	if o.err != nil {
		t.Fatalf("5 of 10 is within 60%%, yet: %v", o.err)
	}
	seq = newSequencer([]int{1, 3, 5, 7, 9, 0, 2, 4, 6, 8})
	plan = loadPlan(t, t.TempDir(), fmt.Sprintf(budgetPipeline, "20%"), seq.gate())
	o = testRun{t: t, plan: plan, observer: seq}.run()
	e := abortError(t, o.err)
	want := "5 of 10 items failed (50%), more than max_failures 20% allows"
	if e.Kind != KindMaxFailures || e.Message() != want || e.Stage != "map" || e.Index != -1 || e.Worker != -1 {
		t.Errorf("error %+v, want kind max_failures, message %q", e, want)
	}
	if e.At.From.Line != 12 || e.At.From.Col != 19 {
		t.Errorf("position %s, want the max_failures value, 12:19", e.At.From)
	}
}

// With fewer items in all than a share needs to be judged during the run,
// it is judged at the end: 1 of 3 failed is more than 20%.
func TestMaxFailuresShareOfFewItems(t *testing.T) {
	o, _ := runYAML(t, `version: 1
name: t
workers: 1
items: [1, 2, 4]
map:
  steps:
    - assert: item % 2 == 0
  on_error:
    then: skip
    max_failures: 20%
`)
	e := abortError(t, o.err)
	if want := "1 of 3 items failed (33.3%), more than max_failures 20% allows"; e.Kind != KindMaxFailures || e.Message() != want {
		t.Errorf("error = %v (kind %s), want %q", e, e.Kind, want)
	}
}
