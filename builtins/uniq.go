package builtins

import (
	"fmt"
	"reflect"
)

// uniq implements uniq(list): the list without repeated values, keeping
// the first of each in order. Values are equal when they have the same
// canonical key (see keys.go), so it takes time linear in the size of
// the list, where expr's own uniq compares every pair.
func uniq(args ...any) (any, error) {
	if err := count("uniq", args, 1); err != nil {
		return nil, err
	}
	switch list := args[0].(type) {
	case []any:
		return dedupe(len(list), func(i int) any { return list[i] }), nil
	case []map[string]string:
		return dedupe(len(list), func(i int) any { return list[i] }), nil
	case []string:
		return dedupe(len(list), func(i int) any { return list[i] }), nil
	}
	rv := reflect.ValueOf(args[0])
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("uniq: want a list, got %T", args[0])
	}
	return dedupe(rv.Len(), func(i int) any { return rv.Index(i).Interface() }), nil
}

// dedupe returns the distinct values among at(0) … at(n-1), first
// occurrences in order.
func dedupe(n int, at func(int) any) []any {
	out := []any{}
	seenScalar := make(map[any]struct{})
	seenComposite := make(map[string]struct{})
	var enc encoder
	for i := range n {
		v := at(i)
		if k, ok := scalarKey(v); ok {
			if _, dup := seenScalar[k]; !dup {
				seenScalar[k] = struct{}{}
				out = append(out, v)
			}
			continue
		}
		enc.reset()
		enc.value(v)
		if _, dup := seenComposite[string(enc.buf)]; !dup {
			seenComposite[string(enc.buf)] = struct{}{}
			out = append(out, v)
		}
	}
	return out
}
