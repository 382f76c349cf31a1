package builtins

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/vm/runtime"
)

// repeat is expr's repeat(s, n), without its cap of a million copies: the
// memory limit bounds it instead.
func repeat(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("repeat", args, 2)
	if err != nil {
		return nil, err
	}
	s, n := rest[0].(string), runtime.ToInt(rest[1])
	if n < 0 {
		return nil, fmt.Errorf("invalid argument for repeat (expected positive integer, got %d)", n)
	}
	if err := allow(ctx, product(int64(len(s)), int64(n))); err != nil {
		return nil, err
	}
	return repeatString(ctx, s, n)
}

// repeatString is strings.Repeat(s, n), copied a chunk of bytes at a time.
func repeatString(ctx context.Context, s string, n int) (string, error) {
	if len(s)*n <= chunk {
		return strings.Repeat(s, n), nil
	}
	per := max(1, chunk/len(s)) // copies of s in a piece
	piece := strings.Repeat(s, per)
	var b strings.Builder
	b.Grow(len(s) * n)
	for ; n >= per; n -= per {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		b.WriteString(piece)
	}
	b.WriteString(piece[:n*len(s)])
	return b.String(), nil
}

// replace is expr's replace(s, old, new[, n]).
func replace(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("replace", args, -1)
	if err != nil {
		return nil, err
	}
	s, old, new := rest[0].(string), rest[1].(string), rest[2].(string)
	n := -1
	if len(rest) == 4 {
		n = runtime.ToInt(rest[3])
	}
	if err := allow(ctx, replacedSize(s, old, new, n)); err != nil {
		return nil, err
	}
	return replaceString(ctx, s, old, new, n)
}

// replaceString is strings.Replace(s, old, new, n), the same algorithm
// with a look at the context every chunk of replacements.
func replaceString(ctx context.Context, s, old, new string, n int) (string, error) {
	m := strings.Count(s, old)
	if old == new || n == 0 || m == 0 {
		return s, nil
	}
	if n < 0 || m < n {
		n = m
	}
	var b strings.Builder
	b.Grow(len(s) + n*(len(new)-len(old)))
	start := 0
	for i := range n {
		if err := stopped(ctx, i); err != nil {
			return "", err
		}
		j := start
		switch {
		case len(old) > 0:
			j += strings.Index(s[start:], old)
		case i > 0: // an empty old matches before every rune and at the end
			_, width := utf8.DecodeRuneInString(s[start:])
			j += width
		}
		b.WriteString(s[start:j])
		b.WriteString(new)
		start = j + len(old)
	}
	b.WriteString(s[start:])
	return b.String(), nil
}

// replacedSize is the length of strings.Replace(s, old, new, n).
func replacedSize(s, old, new string, n int) int64 {
	k := int64(strings.Count(s, old))
	if n >= 0 && int64(n) < k {
		k = int64(n)
	}
	grow := int64(len(new) - len(old))
	if grow <= 0 {
		return int64(len(s))
	}
	return int64(len(s)) + product(k, grow)
}

// join is expr's join(list[, sep]) of a list of strings.
func join(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("join", args, -1)
	if err != nil {
		return nil, err
	}
	sep := ""
	if len(rest) == 2 {
		sep = rest[1].(string)
	}
	strs, err := joinStrings(rest[0])
	if err != nil {
		return nil, err
	}
	size := int64(len(sep)) * int64(max(len(strs)-1, 0))
	for _, s := range strs {
		size += int64(len(s))
	}
	if err := allow(ctx, size); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Grow(int(size))
	for i, s := range strs {
		if err := stopped(ctx, i); err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// joinStrings returns the strings join joins.
func joinStrings(list any) ([]string, error) {
	switch l := list.(type) {
	case []string:
		return l, nil
	case []any:
		strs := make([]string, len(l))
		for i, v := range l {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("invalid argument for join (element %d is %s, not a string)", i, typeName(v))
			}
			strs[i] = s
		}
		return strs, nil
	}
	return nil, fmt.Errorf("invalid argument for join (type %s)", reflect.TypeOf(list))
}

// split is expr's split(s, sep[, n]).
func split(args ...any) (any, error) {
	return splitWith("split", false, args)
}

// splitAfter is expr's splitAfter(s, sep[, n]).
func splitAfter(args ...any) (any, error) {
	return splitWith("splitAfter", true, args)
}

// splitWith runs split or splitAfter, whose every part costs a string
// header: split(s, "") makes sixteen bytes of each byte of s.
func splitWith(fn string, after bool, args []any) (any, error) {
	ctx, rest, err := ctxArgs(fn, args, -1)
	if err != nil {
		return nil, err
	}
	s, sep := rest[0].(string), rest[1].(string)
	n := -1
	if len(rest) == 3 {
		n = runtime.ToInt(rest[2])
	}
	parts := int64(strings.Count(s, sep) + 1)
	if sep == "" {
		parts = int64(utf8.RuneCountInString(s))
	}
	if n >= 0 && int64(n) < parts {
		parts = int64(n)
	}
	if err := allow(ctx, product(parts, elemSize)); err != nil {
		return nil, err
	}
	switch {
	case n == 0:
		return []string(nil), nil
	case sep == "":
		return explode(ctx, s, n)
	}
	return cut(ctx, s, sep, after, n)
}

// cut is strings.SplitN(s, sep, n), or SplitAfterN with after, for a sep
// that is not empty and an n that is not 0: the same algorithm with a look
// at the context every chunk of parts.
func cut(ctx context.Context, s, sep string, after bool, n int) ([]string, error) {
	if n < 0 {
		n = strings.Count(s, sep) + 1
	}
	n = min(n, len(s)+1)
	keep := 0
	if after {
		keep = len(sep)
	}
	parts := make([]string, n)
	i := 0
	for ; i < n-1; i++ {
		if err := stopped(ctx, i); err != nil {
			return nil, err
		}
		m := strings.Index(s, sep)
		if m < 0 {
			break
		}
		parts[i], s = s[:m+keep], s[m+len(sep):]
	}
	parts[i] = s
	return parts[:i+1], nil
}

// explode is strings.SplitN(s, "", n) for an n that is not 0: s cut into
// its runes, the last part holding the rest when n stops short.
func explode(ctx context.Context, s string, n int) ([]string, error) {
	if l := utf8.RuneCountInString(s); n < 0 || n > l {
		n = l
	}
	parts := make([]string, n)
	for i := 0; i < n-1; i++ {
		if err := stopped(ctx, i); err != nil {
			return nil, err
		}
		_, size := utf8.DecodeRuneInString(s)
		parts[i], s = s[:size], s[size:]
	}
	if n > 0 {
		parts[n-1] = s
	}
	return parts, nil
}
