package runtime

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/expr-lang/expr/file"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

func TestLimitErrorMessage(t *testing.T) {
	tests := []struct {
		err  *LimitError
		want string
	}{
		{&LimitError{Key: "limits.memory", Limit: 64 << 20, Size: dsl.ByteSize{Bytes: 64 << 20}},
			"memory limit of 64MiB passed (limits.memory)"},
		{&LimitError{Key: "limits.memory", Limit: 12637995008, Size: dsl.ByteSize{Share: 0.5}, Machine: 25275990016},
			"memory limit of 11.8GiB passed (limits.memory: 50% of 23.5GiB)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{100: "100B", 1024: "1KiB", 1536: "1.5KiB", 64 << 20: "64MiB",
		3 << 30: "3GiB", 1 << 40: "1TiB", 1<<30 + 1<<29: "1.5GiB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// newTestGuard is a guard with a limit of n bytes that has entered an
// environment with ctx.
func newTestGuard(ctx context.Context, n int64) (*guard, map[string]any) {
	g := newGuard(dsl.ByteSize{Bytes: n})
	env := map[string]any{builtins.ContextVar: ctx}
	g.enter(env)
	return g, env
}

// panicOf calls f and returns what it panicked with.
func panicOf(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestGuardChecksEachValue(t *testing.T) {
	g, _ := newTestGuard(context.Background(), 1<<20)
	for _, v := range []any{1, "small", []any{1, 2}, []int{1}, map[string]any{"a": 1}, nil} {
		if p := panicOf(func() { g.check(v) }); p != nil {
			t.Errorf("check(%v) panicked with %v", v, p)
		}
	}
	for _, v := range []any{strings.Repeat("x", 1<<20+1), make([]any, 1<<16+1), make([]int, 1<<17+1)} {
		if p := panicOf(func() { g.check(v) }); p != g.err {
			t.Errorf("check(%T of %d bytes) panicked with %v, want the limit's error", v, sizeOf(v), p)
		}
	}
}

func TestGuardStopsOnceTheContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	g, _ := newTestGuard(ctx, 1<<30)
	cancel()
	for i := 0; i < doneEvery; i++ {
		if p := panicOf(func() { g.check(i) }); p != nil {
			if !errors.Is(p.(error), context.Canceled) {
				t.Errorf("check panicked with %v, want context.Canceled", p)
			}
			return
		}
	}
	t.Errorf("%d checks after the context ended, none stopped", doneEvery)
}

func TestGuardFollowsTheContext(t *testing.T) {
	// A timeout's context replaces the run's for a step, then the run's
	// comes back: the guard watches whichever the environment holds.
	scope := &builtins.Scope{Dir: "/here"}
	run := builtins.WithScope(context.Background(), scope)
	g, env := newTestGuard(run, 1<<30)
	given := env[builtins.ContextVar].(context.Context)
	if builtins.ScopeFrom(given) != scope || g.ctx != given {
		t.Fatal("the context builtins get lost its scope, or the guard does not watch it")
	}
	step, cancel := context.WithCancel(run)
	cancel()
	env[builtins.ContextVar] = step
	g.enter(env)
	if g.ctx.Err() == nil {
		t.Error("the guard still watches the run's context, not the step's")
	}
	env[builtins.ContextVar] = run
	g.enter(env)
	if env[builtins.ContextVar] != given || g.ctx.Err() != nil {
		t.Error("back on the run's context, the guard does not give the same one again")
	}
}

func TestGuardAllow(t *testing.T) {
	g, _ := newTestGuard(context.Background(), 1<<30)
	if err := g.Allow(1 << 20); err != nil {
		t.Errorf("Allow(1MiB) = %v, want nil", err)
	}
	if err := g.Allow(1<<30 + 1); err != g.err {
		t.Errorf("Allow(1GiB+1) = %v, want the limit's error", err)
	}
	small, _ := newTestGuard(context.Background(), 1024) // less than the heap already is
	if err := small.Allow(512); err != small.err {
		t.Errorf("Allow with the heap past the limit = %v, want the limit's error", err)
	}
}

func TestGuardExplainsExprsBudget(t *testing.T) {
	g, _ := newTestGuard(context.Background(), 64<<20)
	err := g.explain(&file.Error{Message: "memory budget exceeded"})
	var le *LimitError
	if !errors.As(err, &le) || MessageOf(err) != "memory limit of 64MiB passed (limits.memory)" {
		t.Errorf("explain = %v, want the limit's error", err)
	}
	other := &file.Error{Message: "unknown name x"}
	if err := g.explain(other); err != other || other.Message != "unknown name x" {
		t.Errorf("explain changed another error: %v", err)
	}
}

func TestGuardElements(t *testing.T) {
	if g := newGuard(dsl.ByteSize{Bytes: 64 << 20}); g.elements() != 4<<20 {
		t.Errorf("elements() = %d, want 4Mi", g.elements())
	}
	if g := newGuard(dsl.ByteSize{}); g.limit != dsl.DefaultMemory.Of(machineMemory()) {
		t.Errorf("a zero size gives a limit of %d, want the default's", g.limit)
	}
}
