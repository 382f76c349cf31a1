package runtime

import (
	"context"
	"errors"
	goruntime "runtime"
	"runtime/metrics"

	"github.com/expr-lang/expr/file"
	exprruntime "github.com/expr-lang/expr/vm/runtime"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// How often a guard looks, in closure steps: at the context every few,
// since a step may be slow, at the heap now and then, since reading it
// costs as much as a few thousand steps.
const (
	doneEvery = 16
	heapEvery = 8192
)

// rangeChunk is how many integers of a range the guard writes between two
// looks at the context: half a megabyte, well under a millisecond.
const rangeChunk = 1 << 16

// budgetExceeded is the message of expr's panic when an evaluation passes
// vm.VM.MemoryBudget.
const budgetExceeded = "memory budget exceeded"

// heapMetric is the heap's size: live objects and dead ones not yet freed.
const heapMetric = "/memory/classes/heap/objects:bytes"

// guard stops the evaluations of one evaluator when their context is done
// or when they pass limits.memory. Each program calls it, as its
// dsl.Guard, with the value of every closure body, and as its dsl.Ranger
// for every range; builtins that build large values ask it first, as
// their builtins.Budget. A guard belongs to its evaluator's goroutine.
//
// Memory is bounded three ways: expr's own count of list elements
// (vm.VM.MemoryBudget, set from elements(), and the guard's own count of
// range elements); the size of each value a closure, range or builtin
// makes, which may not pass the limit alone; and the heap of the process,
// read every heapEvery steps and whenever the values seen since the last
// reading add up to an eighth of the limit.
type guard struct {
	err   *LimitError // the error of passing the limit, made once
	limit int64

	ctx   context.Context // the context of the evaluation that runs
	done  <-chan struct{} // ctx.Done()
	given any             // what the guard put in the environment for ctx
	first [2]any          // the first context it saw and what it gave for it

	steps  uint  // closure steps since the guard was made
	elems  uint  // range elements built in this evaluation
	grown  int64 // bytes of values seen since the heap was last read
	sample [1]metrics.Sample
}

func newGuard(size dsl.ByteSize) *guard {
	if size.IsZero() {
		size = dsl.DefaultMemory
	}
	machine := machineMemory()
	limit := max(size.Of(machine), 1)
	g := &guard{limit: limit, ctx: context.Background(),
		err: &LimitError{Key: "limits.memory", Limit: limit, Size: size, Machine: machine}}
	g.sample[0].Name = heapMetric
	return g
}

// elements is the budget of list elements expr may count in one
// evaluation: the limit at sixteen bytes an element.
func (g *guard) elements() uint { return uint(max(g.limit/16, 1)) }

// enter prepares the guard for an evaluation with env: it takes the
// context builtins are to see from env and puts it back carrying the
// guard as its Budget. The runtime changes env's context only when a
// timeout starts or ends, so this is nearly always one comparison.
func (g *guard) enter(env map[string]any) {
	g.elems = 0
	c := env[builtins.ContextVar]
	switch {
	case c == g.given && c != nil:
		return
	case c == g.first[0] && c != nil:
		g.use(g.first[1])
	default:
		ctx, _ := c.(context.Context)
		if ctx == nil {
			ctx = context.Background()
		}
		g.use(builtins.WithBudget(ctx, g))
		if g.first[0] == nil {
			g.first = [2]any{c, g.given}
		}
	}
	env[builtins.ContextVar] = g.given
}

// use makes wrapped, a context made by builtins.WithBudget, the one the
// guard watches and gives.
func (g *guard) use(wrapped any) {
	g.given, g.ctx = wrapped, wrapped.(context.Context)
	g.done = g.ctx.Done()
}

// check is the dsl.Guard: it panics with the context's error once the
// context is done, and with the limit's when v, or the heap, passes it.
// A step whose value is a number or a boolean costs a count and a type
// switch; the rest is done every doneEvery steps.
func (g *guard) check(v any) any {
	g.steps++
	if n := sizeOf(v); n > 0 || g.steps%doneEvery == 0 {
		g.look(n)
	}
	return v
}

// look is check's slower part, for a value of n bytes.
func (g *guard) look(n int64) {
	g.stopIfDone()
	if n > g.limit {
		panic(g.err)
	}
	if err := g.grow(n, g.steps%heapEvery == 0); err != nil {
		panic(err)
	}
}

// stopIfDone panics with the context's error when it is done.
func (g *guard) stopIfDone() {
	select {
	case <-g.done:
		panic(g.ctx.Err())
	default:
	}
}

// rangeOf is the dsl.Ranger: from..to as expr's range operator makes it,
// its elements counted against expr's element budget as expr counts them
// and its bytes against the limit, written a chunk at a time between two
// looks at the context.
func (g *guard) rangeOf(from, to any) any {
	a, b := exprruntime.ToInt(from), exprruntime.ToInt(to)
	n := b - a + 1
	if n <= 0 {
		return []int{}
	}
	if g.elems += uint(n); g.elems >= g.elements() {
		panic(g.err)
	}
	if err := g.Allow(int64(n) * 8); err != nil {
		panic(err)
	}
	g.stopIfDone() // before the allocation, which cannot be stopped
	out := make([]int, n)
	for i := 0; i < n; i += rangeChunk {
		g.stopIfDone()
		for j := i; j < min(i+rangeChunk, n); j++ {
			out[j] = a + j
		}
	}
	return out
}

// Limit is the most bytes one value may take.
func (g *guard) Limit() int64 { return g.limit }

// Allow is asked by a builtin about to allocate n bytes.
func (g *guard) Allow(n int64) error {
	if n > g.limit {
		return g.err
	}
	return g.grow(n, n > g.limit/8)
}

// grow counts n bytes more and reads the heap when asked to, or when what
// was counted since the last reading adds up to an eighth of the limit.
func (g *guard) grow(n int64, read bool) error {
	g.grown += n
	if !read && g.grown <= g.limit/8 {
		return nil
	}
	g.grown = 0
	return g.heap(n)
}

// heap fails when the heap, with extra bytes more, passes the limit. What
// passes it may be garbage, so only what survives a collection counts.
func (g *guard) heap(extra int64) error {
	if g.heapSize()+extra <= g.limit {
		return nil
	}
	goruntime.GC()
	if g.heapSize()+extra <= g.limit {
		return nil
	}
	return g.err
}

// heapSize reads the process's heap in bytes.
func (g *guard) heapSize() int64 {
	metrics.Read(g.sample[:])
	return int64(g.sample[0].Value.Uint64())
}

// sizeOf is about how many bytes v takes, not counting what its elements
// point to; 0 for scalars.
func sizeOf(v any) int64 {
	switch x := v.(type) {
	case string:
		return int64(len(x))
	case []any:
		return int64(len(x)) * 16
	case []int:
		return int64(len(x)) * 8
	case []float64:
		return int64(len(x)) * 8
	case []string:
		return int64(len(x)) * 16
	case map[string]any:
		return int64(len(x)) * 48
	}
	return 0
}

// explain turns expr's own "memory budget exceeded" into the guard's
// limit error; other errors it returns as they are.
func (g *guard) explain(err error) error {
	var fe *file.Error
	if errors.As(err, &fe) && fe.Prev == nil && fe.Message == budgetExceeded {
		fe.Message, fe.Prev = g.err.Error(), g.err
	}
	return err
}
