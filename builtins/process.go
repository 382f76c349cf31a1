package builtins

import (
	"fmt"
	"os"
	"time"
)

// env implements env(name) and env(name, default): the environment
// variable name, or default when it is unset or empty.
func env(args ...any) (any, error) {
	if len(args) != 1 && len(args) != 2 {
		return nil, fmt.Errorf("env: want 1 or 2 arguments, got %d", len(args))
	}
	strs, err := stringArgs("env", args)
	if err != nil {
		return nil, err
	}
	v := os.Getenv(strs[0])
	if v == "" && len(strs) == 2 {
		return strs[1], nil
	}
	return v, nil
}

// sleep implements sleep(d): it waits for the duration d, given as a
// time.Duration or a string such as "10ms", and returns early with the
// context's error when the context ends first.
func sleep(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("sleep", args, 1)
	if err != nil {
		return nil, err
	}
	d, err := durationArg(rest[0])
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("sleep: %w", ctx.Err())
	}
}

// durationArg returns v as a time.Duration.
func durationArg(v any) (time.Duration, error) {
	switch v := v.(type) {
	case time.Duration:
		return v, nil
	case string:
		if d, err := time.ParseDuration(v); err == nil {
			return d, nil
		}
		return 0, fmt.Errorf("sleep: want a duration such as \"10ms\", got %q", v)
	}
	return 0, fmt.Errorf("sleep: want a duration such as \"10ms\", got %v", v)
}

// fail implements fail(message): it returns a *FailError.
func fail(args ...any) (any, error) {
	msg, err := oneString("fail", args)
	if err != nil {
		return nil, err
	}
	return nil, &FailError{Message: msg}
}
