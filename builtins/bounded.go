package builtins

import (
	"context"
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/builtin"
)

// The builtins of bounded_strings.go, bounded_lists.go and size.go replace
// expr's own functions of the same names, which can build a value far
// larger than their arguments (a thousand references to one big string
// make a small list and a huge JSON text). Each gives what expr's gives,
// and the same errors, but first asks the context's Budget for the bytes
// it is about to allocate, and looks at the context every chunk of work
// while it counts and builds, so that a long call stops soon after its
// step is cancelled. This file holds what they share.

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

// typeName names v's type for messages; nil is nil.
func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
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

// derefValue follows pointers and interfaces to what they hold, stopping
// at a nil one, as expr does to a list's elements.
func derefValue(v reflect.Value) reflect.Value {
	for (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && !v.IsNil() {
		v = v.Elem()
	}
	return v
}
