package builtins

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEnv(t *testing.T) {
	t.Setenv("POOLFLOW_SET", "yes")
	t.Setenv("POOLFLOW_EMPTY", "")
	runCases(t, "env", []callCase{
		{name: "set", args: []any{"POOLFLOW_SET"}, want: "yes"},
		{name: "unset", args: []any{"POOLFLOW_UNSET"}, want: ""},
		{name: "set with default", args: []any{"POOLFLOW_SET", "no"}, want: "yes"},
		{name: "unset with default", args: []any{"POOLFLOW_UNSET", "no"}, want: "no"},
		{name: "empty with default", args: []any{"POOLFLOW_EMPTY", "no"}, want: "no"},
		{name: "no arguments", args: []any{}, err: "env: want 1 or 2 arguments, got 0"},
		{name: "default not a string", args: []any{"A", 1}, err: "env: argument 2 is int, want string"},
	})
}

func TestSleep(t *testing.T) {
	runCases(t, "sleep", []callCase{
		{name: "string", args: []any{"1ms"}},
		{name: "duration", args: []any{time.Millisecond}},
		{name: "negative", args: []any{"-1s"}},
		{name: "number", args: []any{5}, err: `sleep: want a duration such as "10ms", got 5`},
		{name: "bad string", args: []any{"5"}, err: `sleep: want a duration such as "10ms", got "5"`},
		{name: "no arguments", args: []any{}, err: "sleep: want 1 argument, got 0"},
	})
}

func TestSleepCancel(t *testing.T) {
	for _, c := range []struct {
		name   string
		ctx    func() (context.Context, context.CancelFunc)
		target error
		err    string
	}{
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(5*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled, "sleep: context canceled"},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 5*time.Millisecond)
		}, context.DeadlineExceeded, "sleep: context deadline exceeded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := c.ctx()
			defer cancel()
			start := time.Now()
			_, err := callIn(ctx, &Scope{}, "sleep", "1h")
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("sleep returned after %v, want soon after the context ended", took)
			}
			if !errors.Is(err, c.target) || errText(err) != c.err {
				t.Errorf("error %v, want %q wrapping %v", err, c.err, c.target)
			}
		})
	}
}

func TestFail(t *testing.T) {
	runCases(t, "fail", []callCase{
		{name: "message", args: []any{"bad row"}, err: "bad row"},
		{name: "not a string", args: []any{1}, err: "fail: argument 1 is int, want string"},
	})
	_, err := callIn(t.Context(), &Scope{}, "fail", "bad row")
	var fe *FailError
	if !errors.As(err, &fe) || fe.Message != "bad row" {
		t.Errorf("got %#v, want a *FailError with the message", err)
	}
}
