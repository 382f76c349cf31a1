package present

import (
	"testing"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

func TestPolicy(t *testing.T) {
	when := &dsl.Program{Source: ` error.kind == "exit" `}
	fallback := &dsl.Program{Source: "[]"}
	retry := dsl.Policy{Attempts: 3, Delay: 100 * time.Millisecond, Backoff: dsl.BackoffExponential, MaxDelay: 5 * time.Second, Then: dsl.PolicyAbortAll}
	tests := []struct {
		name, stage string
		p           dsl.Policy
		want        string
	}{
		{"abort-all", "map", dsl.Policy{Attempts: 1, Then: dsl.PolicyAbortAll},
			"abort the whole run"},
		{"skip in map", "map", dsl.Policy{Attempts: 1, Then: dsl.PolicySkip},
			"skip the item (recorded as failed) and go on"},
		{"skip in the initializer", "initializer", dsl.Policy{Attempts: 1, Then: dsl.PolicySkip},
			"retire the worker, the pool goes on with fewer"},
		{"skip in a callback", "callbacks.done", dsl.Policy{Attempts: 1, Then: dsl.PolicySkip},
			"record the failure and go on"},
		{"retry short form", "map", retry,
			"retry, 3 attempts in all, waiting 100ms doubling up to 5s on any error but a cancellation or a limit; then abort the whole run"},
		{"constant backoff with jitter and when", "map",
			dsl.Policy{Attempts: 2, Delay: time.Second, Backoff: dsl.BackoffConstant, MaxDelay: 5 * time.Second, Jitter: 0.25, When: when, Then: dsl.PolicySkip},
			`retry, 2 attempts in all, waiting 1s ±25% while error.kind == "exit"; then skip the item (recorded as failed) and go on`},
		{"fallback and a count", "map",
			dsl.Policy{Attempts: 1, Then: dsl.PolicySkip, Fallback: fallback, MaxFailures: dsl.Threshold{Set: true, Count: 5}},
			"skip the item (recorded as failed) and go on, with [] as its result; abort the whole run once more than 5 of the items have failed"},
		{"a percentage", "map",
			dsl.Policy{Attempts: 1, Then: dsl.PolicySkip, MaxFailures: dsl.Threshold{Set: true, Share: 0.125, IsPercent: true}},
			"skip the item (recorded as failed) and go on; abort the whole run once more than 12.5% of the items have failed (of those finished, from 10 on; of all of them at the end)"},
		{"one attempt is no retry", "map", dsl.Policy{Attempts: 1, Delay: time.Second, Then: dsl.PolicyAbortAll},
			"abort the whole run"},
	}
	for _, tt := range tests {
		if got := Policy(tt.p, tt.stage); got != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
