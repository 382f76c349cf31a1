package builtins

import (
	"context"
	"math"
)

// Budget bounds the memory of one evaluation. The runtime attaches one to
// the context builtins get ([WithBudget]); the builtins that can build a
// value far larger than their arguments (repeat, replace, join, split,
// splitAfter, flatten, toJSON, string) ask it before they allocate. A
// Budget is used by one goroutine at a time.
type Budget interface {
	// Limit is the most bytes one value may take.
	Limit() int64
	// Allow is told that about n bytes are about to be allocated; it
	// returns an error, which names the limit, when that may not be.
	Allow(n int64) error
}

type budgetKey struct{}

// WithBudget returns a copy of ctx carrying b.
func WithBudget(ctx context.Context, b Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// budgetFrom returns the Budget ctx carries, or one without a limit.
func budgetFrom(ctx context.Context) Budget {
	if ctx != nil {
		if b, ok := ctx.Value(budgetKey{}).(Budget); ok {
			return b
		}
	}
	return unlimited{}
}

// unlimited is the Budget of a context without one.
type unlimited struct{}

func (unlimited) Limit() int64        { return math.MaxInt64 }
func (unlimited) Allow(n int64) error { return nil }

// allow asks ctx's Budget for n bytes, after checking that ctx is not done.
func allow(ctx context.Context, n int64) error {
	if ctx != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return budgetFrom(ctx).Allow(n)
}

// product is a*b, or math.MaxInt64 when that does not fit; a and b are not
// negative.
func product(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}
