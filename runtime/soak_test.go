package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/poolflow/poolflow/builtins"
)

// The soak runs a few thousand items under faults injected at random
// (commands that exit non-zero or hang past their timeout, expressions
// that fail, builtins that panic, steps slower than their timeout), under
// skip, under abort-all, and with the run cancelled from outside part way,
// and checks what must hold whatever happens:
//
//   - every item is reported once at most, and the summary's counts add up
//     to the items of the source;
//   - under skip every item is reported, and the output holds exactly the
//     items that succeeded;
//   - after an abort or a cancellation, no output file was written;
//   - no process a command started is left (and, by TestMain's goleak, no
//     goroutine).
//
// go test -short leaves it out; POOLFLOW_SOAK_SEED picks the seed, and
// POOLFLOW_SOAK_ITEMS the number of items.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs without -short")
	}
	needsProc(t)
	seed := uint64(42)
	if s, err := strconv.ParseUint(os.Getenv("POOLFLOW_SOAK_SEED"), 10, 64); err == nil {
		seed = s
	}
	items := 2000
	if n, err := strconv.Atoi(os.Getenv("POOLFLOW_SOAK_ITEMS")); err == nil && n > 0 {
		items = n
	}
	for round, then := range []string{"skip", "abort-all", "skip", "cancel"} {
		t.Run(fmt.Sprintf("%d-%s", round, then), func(t *testing.T) {
			soakRound(t, seed+uint64(round), items, then)
		})
	}
}

// faults are what a soak item may do, with their weights.
var faults = []struct {
	name   string
	weight int
}{{"ok", 60}, {"fail", 8}, {"panic", 4}, {"exit", 8}, {"hang", 4}, {"slow", 4}, {"sh", 12}}

func pickFaults(rng *rand.Rand, n int) []string {
	total := 0
	for _, f := range faults {
		total += f.weight
	}
	out := make([]string, n)
	for i := range out {
		x := rng.IntN(total)
		for _, f := range faults {
			if x < f.weight {
				out[i] = f.name
				break
			}
			x -= f.weight
		}
	}
	return out
}

const soakPipeline = `version: 1
name: soak
workers: 8
items: {range: [0, %d]}
map:
  steps:
    - name: f
      expr: fault(index)
    - expr: 'f == "panic" ? boom(index) : f == "fail" ? fail("injected " + string(index)) : f'
    - sh: 'if [ ${f} = exit ]; then exit 3; fi; if [ ${f} = hang ]; then exec sleep %s; fi'
      if: f in ["exit", "hang", "sh"]
      timeout: 50ms
    - expr: 'f == "slow" ? sleep("2s") : index'
      timeout: 5ms
  on_error:
    retry: {attempts: 2, delay: 1ms}
    then: %s
output:
  to: out.json
`

func soakRound(t *testing.T, seed uint64, n int, then string) {
	rng := rand.New(rand.NewPCG(seed, seed))
	plan := pickFaults(rng, n)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	cancelAt := -1
	switch then {
	case "cancel":
		cancelAt = n/4 + rng.IntN(n/2)
		then = "skip"
	case "abort-all": // one failure for good, late, among faults that retry or pass
		for i, f := range plan {
			if f == "fail" || f == "panic" || f == "exit" || f == "hang" || f == "slow" {
				plan[i] = "sh"
			}
		}
		plan[n/2+rng.IntN(n/2)] = "exit"
	}
	fault := expr.Function("fault", func(args ...any) (any, error) {
		i := args[0].(int)
		if i == cancelAt {
			cancel(ErrInterrupted)
		}
		return plan[i], nil
	}, new(func(int) string))
	boom := expr.Function("boom", builtins.Guard("boom", func(args ...any) (any, error) {
		var m map[int]int
		m[args[0].(int)]++ // a builtin's own bug: assignment to entry in nil map
		return nil, nil
	}), new(func(int) any))
	m := marker()
	rec := newCounts()
	dir := t.TempDir()
	p := loadPlan(t, dir, fmt.Sprintf(soakPipeline, n, m, then), fault, boom)
	o := testRun{t: t, plan: p, observer: rec, ctx: ctx, realWait: true}.run()
	if pids := processesWith(m); len(pids) > 0 {
		t.Errorf("commands left running after the run: %v", pids)
	}
	sum := o.sum
	total := sum.Stats.OK + sum.Stats.Skipped + sum.Failed + sum.Cancelled + sum.NotStarted
	if total != n {
		t.Errorf("summary counts %d items (%+v), want %d", total, sum, n)
	}
	if twice := rec.twice(); len(twice) > 0 {
		t.Errorf("items reported more than once: %v", twice)
	}
	out, readErr := os.ReadFile(filepath.Join(dir, "out.json"))
	switch {
	case o.err != nil && readErr == nil:
		t.Errorf("the run ended with %v, yet wrote out.json", o.err)
	case o.err == nil:
		if got := rec.reported(); got != n {
			t.Errorf("%d items reported, want every one of %d", got, n)
		}
		var results []int
		if err := json.Unmarshal(out, &results); err != nil {
			t.Fatalf("out.json is not whole: %v", err)
		}
		if len(results) != sum.Stats.OK {
			t.Errorf("out.json holds %d results, want the %d items that succeeded", len(results), sum.Stats.OK)
		}
	}
	t.Logf("seed %d: %d ok, %d skipped, %d failed, %d cancelled, %d not started; err %v",
		seed, sum.Stats.OK, sum.Stats.Skipped, sum.Failed, sum.Cancelled, sum.NotStarted, o.err)
}

// counts is an Observer that counts the reports of each item.
type counts struct {
	NopObserver
	mu sync.Mutex
	n  map[int]int
}

func newCounts() *counts { return &counts{n: map[int]int{}} }

func (c *counts) ItemFinished(rec ItemRecord)     { c.add(rec.Index) }
func (c *counts) ItemNotStarted(index int, _ any) { c.add(index) }

func (c *counts) add(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[i]++
}

func (c *counts) twice() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for i, k := range c.n {
		if k > 1 {
			out = append(out, i)
		}
	}
	return out
}

func (c *counts) reported() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.n)
}
