package runtime

import (
	"reflect"
	"sync"
	"testing"
)

// chain makes items finish in reverse order: item i waits in wait(i)
// until go_on(i+1) was called, and the last item does not wait.
type chain struct {
	mu    sync.Mutex
	gates map[int]chan struct{}
	order []int // the order of go_on calls
}

func newChain() *chain { return &chain{gates: map[int]chan struct{}{}} }

func (c *chain) gate(i int) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gates[i] == nil {
		c.gates[i] = make(chan struct{})
	}
	return c.gates[i]
}

func (c *chain) wait(last int) func(int) int {
	return func(i int) int {
		if i == last {
			return 0
		}
		return waitFor(c.gate(i + 1))
	}
}

func (c *chain) goOn(i int) int {
	c.mu.Lock()
	c.order = append(c.order, i)
	c.mu.Unlock()
	close(c.gate(i))
	return i
}

func TestOrderInput(t *testing.T) {
	c := newChain()
	o, rec, _ := observe(t, `version: 1
name: t
workers: 5
order: input
items: {range: [0, 5]}
map:
  steps:
    - expr: wait(index)
    - expr: go_on(index) * 10
callbacks:
  result:
    steps:
      - expr: capture("delivered", index)
output:
  format: json
`, hookInt("wait", c.wait(4)), hookInt("go_on", c.goOn))
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if want := []int{4, 3, 2, 1, 0}; !reflect.DeepEqual(c.order, want) {
		t.Fatalf("items finished in order %v, want %v", c.order, want)
	}
	if got, want := o.stdout, "[\n  0,\n  10,\n  20,\n  30,\n  40\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if got, want := rec.values("delivered"), []any{0, 1, 2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks saw %v, want %v", got, want)
	}
}

func TestOrderCompletion(t *testing.T) {
	// Item i goes on once item i+1 was delivered, so that the order in
	// which outcomes reach the collector is known: 4, 3, 2, 1, 0.
	c := newChain()
	o, rec, _ := observe(t, `version: 1
name: t
workers: 5
order: completion
items: {range: [0, 5]}
map:
  steps:
    - expr: wait(index)
    - expr: index * 10
callbacks:
  result:
    steps:
      - expr: capture("delivered", index)
      - expr: go_on(index)
output:
  format: json
`, hookInt("wait", c.wait(4)), hookInt("go_on", c.goOn))
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[\n  40,\n  30,\n  20,\n  10,\n  0\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if got, want := rec.values("delivered"), []any{4, 3, 2, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks saw %v, want %v", got, want)
	}
}

func TestWindow(t *testing.T) {
	// In flight is taken from the source and not yet delivered: counted
	// up when an item's first step runs and down when its result callback
	// has run. Item 0 waits for item 1 to start, so two are in flight at
	// once; the window keeps it at two.
	for _, order := range []string{"input", "completion"} {
		t.Run(order, func(t *testing.T) {
			var g gauge
			second := make(chan struct{})
			var once sync.Once
			o, _, _ := observe(t, `version: 1
name: t
workers: 4
window: 2
order: `+order+`
items: {range: [0, 40]}
map:
  steps:
    - expr: started(index)
    - expr: sleep(duration(string(index % 3) + "ms"))
    - expr: index
callbacks:
  result:
    steps:
      - expr: delivered()
`, hookInt("started", func(i int) int {
				g.add(1)
				switch i {
				case 0:
					return waitFor(second)
				case 1:
					once.Do(func() { close(second) })
				}
				return 0
			}), hook("delivered", func() int { g.add(-1); return 0 }))
			if o.err != nil {
				t.Fatalf("Run: %v", o.err)
			}
			if got := g.max.Load(); got != 2 {
				t.Errorf("at most %d items were in flight at once, want 2", got)
			}
			if got := o.sum.Stats.OK; got != 40 {
				t.Errorf("%d items succeeded, want 40", got)
			}
		})
	}
}
