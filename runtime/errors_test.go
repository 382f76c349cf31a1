package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{"map item, string", Error{Kind: KindExit, Subject: Subject{Stage: "map", Step: "fetch", Item: "a.csv", Index: 3, Worker: 1, Attempt: 1, Attempts: 1}, Cause: errors.New("exit status 2")},
			`map/fetch: item 3 "a.csv": exit status 2`},
		{"retried", Error{Kind: KindExit, Subject: Subject{Stage: "map", Step: "fetch", Item: "a.csv", Index: 3, Worker: 1, Attempt: 2, Attempts: 3}, Cause: errors.New("exit status 2")},
			`map/fetch: item 3 "a.csv" (attempt 2 of 3): exit status 2`},
		{"number item, unnamed step", Error{Kind: KindAssert, Subject: Subject{Stage: "map", Step: "step 2", Item: 42, Index: 0, Worker: 0, Attempt: 1}, Cause: errors.New("assertion failed: item < 10")},
			`map/step 2: item 0 (42): assertion failed: item < 10`},
		{"map item", Error{Kind: KindExpr, Subject: Subject{Stage: "map", Step: "rows", Item: map[string]any{"id": 7}, Index: 12, Worker: 0}, Cause: errors.New("cannot fetch name from map")},
			`map/rows: item 12 ({"id":7}): cannot fetch name from map`},
		{"long item", Error{Kind: KindFail, Subject: Subject{Stage: "map", Step: "s", Item: strings.Repeat("x", 80), Index: 1, Worker: 0}, Cause: errors.New("no")},
			`map/s: item 1 "` + strings.Repeat("x", 55) + `...": no`},
		{"initializer", Error{Kind: KindInit, Subject: Subject{Stage: "initializer", Step: "setup", Index: -1, Worker: 2}, Cause: errors.New("boom")},
			`initializer/setup: worker 2: boom`},
		{"callback", Error{Kind: KindCallback, Subject: Subject{Stage: "callbacks.done", Step: "step 1", Index: -1, Worker: -1}, Cause: errors.New("x")},
			`callbacks.done/step 1: x`},
		{"run timeout", Error{Kind: KindTimeout, Subject: Subject{Stage: "run", Index: -1, Worker: -1}, Cause: errors.New("the run's timeout of 1s passed")},
			`run: the run's timeout of 1s passed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDisplayItem(t *testing.T) {
	tests := []struct {
		item any
		want string
	}{
		{"a.csv", `"a.csv"`},
		{`say "hi"`, `"say \"hi\""`},
		{42, "(42)"},
		{2.5, "(2.5)"},
		{nil, "()"},
		{[]any{1, "b"}, `([1,"b"])`},
		{strings.Repeat("é", 70), `"` + strings.Repeat("é", 55) + `..."`},
	}
	for _, tt := range tests {
		if got := DisplayItem(tt.item); got != tt.want {
			t.Errorf("DisplayItem(%v) = %q, want %q", tt.item, got, tt.want)
		}
	}
}

func TestErrorUnwrap(t *testing.T) {
	cause := errors.New("root")
	e := &Error{Kind: KindExpr, Subject: Subject{Stage: "map", Index: -1, Worker: -1}, Cause: fmt.Errorf("wrapped: %w", cause)}
	err := fmt.Errorf("%w: %w", ErrAborted, e)
	if !errors.Is(err, ErrAborted) || !errors.Is(err, cause) {
		t.Errorf("errors.Is fails through %v", err)
	}
}

func TestExternalCancel(t *testing.T) {
	// A run the caller cancels ends with kind cancelled, or interrupted
	// when the cause is ErrInterrupted.
	for _, tt := range []struct {
		cause error
		kind  Kind
	}{{errors.New("caller gave up"), KindCancelled}, {ErrInterrupted, KindInterrupted}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		dir := t.TempDir()
		plan := loadPlan(t, dir, `version: 1
name: t
workers: 2
items: {range: [0, 10]}
map:
  steps:
    - expr: started()
    - expr: sleep("10s")
  on_error: retry
`, hook("started", func() int { cancel(tt.cause); return 0 }))
		o := testRun{t: t, plan: plan, ctx: ctx}.run()
		e := abortError(t, o.err)
		if e.Kind != tt.kind || e.Stage != "run" || e.Message() != tt.cause.Error() || !errors.Is(o.err, tt.cause) {
			t.Errorf("error: kind %s, stage %s, message %q; want %s, run, %q, wrapping the cause", e.Kind, e.Stage, e.Message(), tt.kind, tt.cause.Error())
		}
		if o.elapsed > 5*time.Second {
			t.Errorf("the run took %s", o.elapsed)
		}
	}
}
