package builtins

import (
	"context"
	"fmt"
)

// ctxArgs splits the arguments of a builtin whose first parameter is a
// context.Context and checks that n arguments follow it. A nil context
// becomes context.Background(), so builtins may be called directly.
func ctxArgs(fn string, args []any, n int) (context.Context, []any, error) {
	if len(args) == 0 {
		return nil, nil, fmt.Errorf("%s: missing context argument", fn)
	}
	ctx, ok := args[0].(context.Context)
	if !ok && args[0] != nil {
		return nil, nil, fmt.Errorf("%s: first argument is %T, want context.Context", fn, args[0])
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := count(fn, args[1:], n); err != nil {
		return nil, nil, err
	}
	return ctx, args[1:], nil
}

// count checks that a builtin got n arguments; n < 0 accepts any number.
func count(fn string, args []any, n int) error {
	if n >= 0 && len(args) != n {
		return fmt.Errorf("%s: want %d %s, got %d", fn, n, plural(n, "argument"), len(args))
	}
	return nil
}

// stringArg returns args[i] as a string.
func stringArg(fn string, args []any, i int) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", fmt.Errorf("%s: argument %d is %T, want string", fn, i+1, args[i])
	}
	return s, nil
}

// stringArgs returns every argument as a string.
func stringArgs(fn string, args []any) ([]string, error) {
	strs := make([]string, len(args))
	for i := range args {
		s, err := stringArg(fn, args, i)
		if err != nil {
			return nil, err
		}
		strs[i] = s
	}
	return strs, nil
}

// ctxString unpacks the arguments of a builtin taking (ctx, string).
func ctxString(fn string, args []any) (context.Context, string, error) {
	ctx, rest, err := ctxArgs(fn, args, 1)
	if err != nil {
		return nil, "", err
	}
	s, err := stringArg(fn, rest, 0)
	return ctx, s, err
}

// ctxStrings unpacks the arguments of a builtin taking (ctx, string, string).
func ctxStrings(fn string, args []any) (context.Context, string, string, error) {
	ctx, rest, err := ctxArgs(fn, args, 2)
	if err != nil {
		return nil, "", "", err
	}
	a, err := stringArg(fn, rest, 0)
	if err != nil {
		return nil, "", "", err
	}
	b, err := stringArg(fn, rest, 1)
	return ctx, a, b, err
}

// oneString unpacks the arguments of a builtin taking one string.
func oneString(fn string, args []any) (string, error) {
	if err := count(fn, args, 1); err != nil {
		return "", err
	}
	return stringArg(fn, args, 0)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
