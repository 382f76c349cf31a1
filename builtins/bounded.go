package builtins

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm/runtime"
)

// The builtins of this file replace expr's own functions of the same names,
// which can build a value far larger than their arguments (a thousand
// references to one big string make a small list and a huge JSON text).
// Each gives what expr's gives, and the same errors, but first asks the
// context's Budget for the bytes it is about to allocate, and looks at the
// context every chunk of work while it counts and builds, so that a long
// call stops soon after its step is cancelled.

// chunk is how many parts (strings, elements, replacements) a builtin
// makes, or how many bytes it copies, between two looks at the context.
const chunk = 1 << 16

// stopped returns ctx's error at the end of every chunk of i, else nil.
func stopped(ctx context.Context, i int) error {
	if i%chunk == chunk-1 {
		return ctx.Err()
	}
	return nil
}

// asExpr runs fn as expr runs its own builtins: a panic, such as a failed
// conversion of an argument, becomes an error with the panic's text, not a
// panic in a builtin.
func asExpr(fn func(args ...any) (any, error)) func(args ...any) (any, error) {
	return func(args ...any) (out any, err error) {
		defer func() {
			if r := recover(); r != nil {
				out, err = nil, fmt.Errorf("%v", r)
			}
		}()
		return fn(args...)
	}
}

// exprBuiltin is expr's own builtin called name.
func exprBuiltin(name string) *builtin.Function {
	return builtin.Builtins[builtin.Index[name]]
}

// ctxType is the type of a builtin's context parameter.
var ctxType = reflect.TypeFor[context.Context]()

// withContext returns expr's own type signatures of builtin name, each
// with a context.Context parameter in front.
func withContext(name string) []any {
	var out []any
	for _, t := range exprBuiltin(name).Types {
		in := append([]reflect.Type{ctxType}, typesIn(t)...)
		out = append(out, reflect.New(reflect.FuncOf(in, []reflect.Type{t.Out(0)}, t.IsVariadic())).Interface())
	}
	return out
}

func typesIn(t reflect.Type) []reflect.Type {
	in := make([]reflect.Type, t.NumIn())
	for i := range in {
		in[i] = t.In(i)
	}
	return in
}

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

// typeName names v's type for messages; nil is nil.
func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
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

// flatten is expr's flatten(list).
func flatten(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("flatten", args, 1)
	if err != nil {
		return nil, err
	}
	list := deref(rest[0])
	limit := budgetFrom(ctx).Limit()
	n, err := leaves(ctx, reflect.ValueOf(list), 0, limit/elemSize)
	if err != nil {
		return nil, err
	}
	if err := allow(ctx, product(n, elemSize)); err != nil {
		return nil, err
	}
	v := reflect.ValueOf(list)
	if k := v.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("cannot flatten %s", k)
	}
	f := flattener{ctx: ctx, out: make([]any, 0, n)}
	err = f.list(v, 0)
	return f.out, err
}

// flattener is expr's flatten, with a look at the context every chunk of
// elements.
type flattener struct {
	ctx context.Context
	out []any
	n   int // elements seen
}

// list appends the elements of list, flattened, to f.out.
func (f *flattener) list(list reflect.Value, depth int) error {
	if depth > builtin.MaxDepth {
		return builtin.ErrorMaxDepth
	}
	for i := 0; i < list.Len(); i++ {
		if f.n++; f.n%chunk == 0 && f.ctx.Err() != nil {
			return f.ctx.Err()
		}
		v := derefValue(list.Index(i))
		if k := v.Kind(); k != reflect.Slice && k != reflect.Array {
			f.out = append(f.out, v.Interface())
			continue
		}
		if err := f.list(v, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// derefValue follows pointers and interfaces to what they hold, stopping
// at a nil one, as expr does to a list's elements.
func derefValue(v reflect.Value) reflect.Value {
	for (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && !v.IsNil() {
		v = v.Elem()
	}
	return v
}

// leaves counts the elements flatten gives for list, stopping once there
// are more than most.
func leaves(ctx context.Context, list reflect.Value, depth int, most int64) (int64, error) {
	if k := list.Kind(); k != reflect.Slice && k != reflect.Array {
		return 0, nil // flatten reports it
	}
	if depth > builtin.MaxDepth {
		return 0, builtin.ErrorMaxDepth
	}
	switch list.Type().Elem().Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Array:
	default: // []int, []string...: no list in it
		return int64(list.Len()), nil
	}
	var n int64
	for i := 0; i < list.Len() && n <= most; i++ {
		if i&0xffff == 0xffff && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		el := derefValue(list.Index(i))
		if k := el.Kind(); k != reflect.Slice && k != reflect.Array {
			n++
			continue
		}
		m, err := leaves(ctx, el, depth+1, most-n)
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

// flattenTypes checks flatten's argument as expr does. The first is the
// context, which expr.WithContext puts in front of every call before the
// checker's last pass (the passes before it do not count).
func flattenTypes(args []reflect.Type) (reflect.Type, error) {
	if len(args) > 0 {
		args = args[1:]
	}
	return exprBuiltin("flatten").Validate(args)
}

// toJSON is expr's toJSON(v): v as JSON indented by two spaces.
func toJSON(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("toJSON", args, 1)
	if err != nil {
		return nil, err
	}
	v := deref(rest[0])
	if err := allowText(ctx, v, true); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// stringOf is expr's string(v): v as Go's %v writes it.
func stringOf(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("string", args, 1)
	if err != nil {
		return nil, err
	}
	v := deref(rest[0])
	switch v.(type) {
	case string, int, float64, bool, nil: // the common case, small
	default:
		if err := allowText(ctx, v, false); err != nil {
			return nil, err
		}
	}
	return builtin.String(v), nil
}

// allowText asks the budget for the bytes v takes written out.
func allowText(ctx context.Context, v any, asJSON bool) error {
	n, err := textSize(ctx, v, asJSON, budgetFrom(ctx).Limit())
	if err != nil {
		return err
	}
	return allow(ctx, n)
}

// deref is what expr does to a builtin's argument first: a pointer becomes
// what it points to, and a nil pointer nil.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		return v
	}
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	return rv.Interface()
}
