package builtins

import (
	"context"
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/builtin"
)

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
