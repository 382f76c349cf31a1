package runtime

import (
	"fmt"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

func TestDecide(t *testing.T) {
	retrySkip := dsl.Policy{Attempts: 3, Then: dsl.PolicySkip}
	retryAbort := dsl.Policy{Attempts: 3, Then: dsl.PolicyAbortAll}
	noRetrySkip := dsl.Policy{Attempts: 1, Then: dsl.PolicySkip}
	noRetryAbort := dsl.Policy{Attempts: 1, Then: dsl.PolicyAbortAll}
	tests := []struct {
		name    string
		policy  dsl.Policy
		kind    Kind
		attempt int
		when    bool
		want    action
	}{
		{"cancelled, attempts left, when true", retrySkip, KindCancelled, 1, true, actCancelled},
		{"cancelled, attempts left, abort-all", retryAbort, KindCancelled, 1, true, actCancelled},
		{"cancelled, attempts spent", retrySkip, KindCancelled, 3, true, actCancelled},
		{"cancelled, when false", retryAbort, KindCancelled, 2, false, actCancelled},
		{"cancelled, no retry", noRetryAbort, KindCancelled, 1, true, actCancelled},
		{"attempts left, when true, skip", retrySkip, KindExit, 1, true, actRetry},
		{"attempts left, when true, abort-all", retryAbort, KindExit, 2, true, actRetry},
		{"attempts left, when false, skip", retrySkip, KindExit, 1, false, actSkip},
		{"attempts left, when false, abort-all", retryAbort, KindTimeout, 1, false, actAbort},
		{"attempts spent, when true, skip", retrySkip, KindExpr, 3, true, actSkip},
		{"attempts spent, when true, abort-all", retryAbort, KindExpr, 3, true, actAbort},
		{"attempts spent, when false, skip", retrySkip, KindAssert, 3, false, actSkip},
		{"attempts spent, when false, abort-all", retryAbort, KindAssert, 3, false, actAbort},
		{"no retry, skip", noRetrySkip, KindPanic, 1, true, actSkip},
		{"no retry, abort-all", noRetryAbort, KindFail, 1, true, actAbort},
		{"timeout retried", retryAbort, KindTimeout, 1, true, actRetry},
		{"panic retried", retrySkip, KindPanic, 2, true, actRetry},
		{"attempts spent, drain", dsl.Policy{Attempts: 2, Then: dsl.PolicyDrain}, KindExit, 2, true, actDrain},
		{"attempts left, when false, drain", dsl.Policy{Attempts: 2, Then: dsl.PolicyDrain}, KindExit, 1, false, actDrain},
		{"attempts left, drain retries first", dsl.Policy{Attempts: 2, Then: dsl.PolicyDrain}, KindExit, 1, true, actRetry},
		{"cancelled, drain", dsl.Policy{Attempts: 1, Then: dsl.PolicyDrain}, KindCancelled, 1, true, actCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decide(tt.policy, tt.kind, tt.attempt, tt.when); got != tt.want {
				t.Errorf("decide(attempts %d, then %s, %s, attempt %d, when %t) = %s, want %s",
					tt.policy.Attempts, tt.policy.Then, tt.kind, tt.attempt, tt.when, actionName(got), actionName(tt.want))
			}
		})
	}
}

func TestRetriedByDefault(t *testing.T) {
	for _, k := range []Kind{KindExpr, KindAssert, KindExit, KindTimeout, KindPanic, KindFail, KindInit,
		KindCallback, KindSource, KindOutput, KindInterrupted, KindCancelled, KindLimit} {
		want := k != KindCancelled && k != KindLimit
		if got := retriedByDefault(k); got != want {
			t.Errorf("retriedByDefault(%s) = %t, want %t", k, got, want)
		}
	}
}

func actionName(a action) string {
	switch a {
	case actOK:
		return "ok"
	case actRetry:
		return "retry"
	case actSkip:
		return "skip"
	case actAbort:
		return "abort"
	case actCancelled:
		return "cancelled"
	case actDrain:
		return "drain"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

func TestOutcomeWords(t *testing.T) {
	tests := []struct {
		o    Outcome
		want string
	}{
		{Outcome{Then: dsl.PolicyAbortAll}, "abort-all"},
		{Outcome{Then: dsl.PolicySkip}, "skip"},
		{Outcome{Retry: true, Then: dsl.PolicySkip}, "retry, then skip"},
		{Outcome{Retry: true, Then: dsl.PolicyAbortAll}, "retry, then abort-all"},
		{Outcome{Then: dsl.PolicySkip, Budget: true}, "skip, max_failures"},
		{Outcome{Retry: true, Then: dsl.PolicyDrain}, "retry, then drain"},
		{Outcome{Then: dsl.PolicySkip, Budget: true, Drain: true}, "skip, max_failures, then drain"},
		{Outcome{}, ""},
	}
	for _, tt := range tests {
		if got := tt.o.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.o, got, tt.want)
		}
	}
}
