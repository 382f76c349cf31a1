package builtins

import (
	"context"
	"reflect"

	"github.com/expr-lang/expr/builtin"
)

// Sizes the estimates count: a list element or string header, and a map
// entry's overhead.
const (
	elemSize  = 16
	entrySize = 48
)

// textSize estimates how many bytes v takes written out: as toJSON writes
// it (JSON indented by two spaces) with asJSON, else as string() writes it
// (Go's %v). The estimate is close to the truth from below; it counts a
// value each time it is reached, so a list holding one big string a
// thousand times counts that string a thousand times. It stops counting
// once it passes limit, checks ctx as it goes and fails past expr's
// nesting limit.
func textSize(ctx context.Context, v any, asJSON bool, limit int64) (int64, error) {
	s := &sizer{ctx: ctx, limit: limit, json: asJSON}
	s.value(v, 0)
	return s.n, s.err
}

// sizer is the walk of textSize.
type sizer struct {
	ctx   context.Context
	limit int64
	json  bool
	n     int64
	steps int
	err   error
}

// stop reports whether the walk is over: past the limit, or failed. Every
// 65,536 values it also checks the context.
func (s *sizer) stop(depth int) bool {
	if s.steps++; s.steps&0xffff == 0 && s.ctx != nil && s.ctx.Err() != nil {
		s.err = s.ctx.Err()
	}
	if depth > builtin.MaxDepth && s.err == nil {
		s.err = builtin.ErrorMaxDepth
	}
	return s.err != nil || s.n > s.limit
}

// value adds the size of v, found at nesting depth.
func (s *sizer) value(v any, depth int) {
	if s.stop(depth) {
		return
	}
	switch x := v.(type) {
	case nil, bool:
		s.n += 4
	case string:
		s.str(len(x))
	case int:
		s.n += digits(x)
	case []any:
		s.list(len(x), depth, func(i int) any { return x[i] })
	case []int: // a range: counted without boxing each number
		s.n += 2 + s.perElement(len(x), depth)
		for i := 0; i < len(x) && !s.stop(depth); i++ {
			s.n += digits(x[i])
		}
	case []string:
		s.n += 2 + s.perElement(len(x), depth)
		for i := 0; i < len(x) && !s.stop(depth); i++ {
			s.str(len(x[i]))
		}
	case map[string]any:
		s.entries(len(x), depth, func(yield func(string, any)) {
			for k, v := range x {
				yield(k, v)
			}
		})
	default:
		s.reflected(reflect.ValueOf(v), depth)
	}
}

// reflected adds the size of a value of a type without a case of its own.
func (s *sizer) reflected(rv reflect.Value, depth int) {
	switch rv.Kind() {
	case reflect.String:
		s.str(rv.Len())
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 { // JSON writes bytes in base64
			s.n += int64(rv.Len())
			return
		}
		s.list(rv.Len(), depth, func(i int) any { return rv.Index(i).Interface() })
	case reflect.Map:
		s.entries(rv.Len(), depth, func(yield func(string, any)) {
			for it := rv.MapRange(); it.Next(); {
				k := it.Key()
				yield(textKey(k), it.Value().Interface())
			}
		})
	case reflect.Struct:
		s.fields(rv, depth)
	case reflect.Pointer, reflect.Interface:
		if !rv.IsNil() && s.json { // %v writes a pointer's address, not what it points to
			s.value(rv.Elem().Interface(), depth)
			return
		}
		s.n += 4
	default:
		s.n++
	}
}

// textKey is a map key as the estimate counts it: a string as it is,
// anything else as one character.
func textKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	return "0"
}

// str adds a string of n bytes: JSON quotes it.
func (s *sizer) str(n int) {
	s.n += int64(n)
	if s.json {
		s.n += 2
	}
}

// list adds the brackets, separators and indentation of a list of n
// elements, and the elements.
func (s *sizer) list(n, depth int, at func(int) any) {
	s.n += 2 + s.perElement(n, depth)
	for i := 0; i < n && !s.stop(depth); i++ {
		s.value(at(i), depth+1)
	}
}

// entries adds a map of n entries, given by each, keys and values.
func (s *sizer) entries(n, depth int, each func(yield func(string, any))) {
	brackets, colon := int64(5), int64(1) // map[k:v]
	if s.json {
		brackets, colon = 2, 2 // {"k": v}
	}
	s.n += brackets + s.perElement(n, depth)
	each(func(k string, v any) {
		if !s.stop(depth) {
			s.str(len(k))
			s.n += colon
			s.value(v, depth+1)
		}
	})
}

// fields adds a struct's exported fields, which both JSON and %v write
// (JSON skips those tagged "-").
func (s *sizer) fields(rv reflect.Value, depth int) {
	t := rv.Type()
	var shown []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && !(s.json && f.Tag.Get("json") == "-") {
			shown = append(shown, i)
		}
	}
	s.n += 2 + s.perElement(len(shown), depth)
	for _, i := range shown {
		if s.stop(depth) {
			return
		}
		if s.json {
			s.str(len(t.Field(i).Name) + 2) // "Name": value
		}
		s.value(rv.Field(i).Interface(), depth+1)
	}
}

// perElement is what the writing puts between the brackets around n
// elements at depth: for indented JSON a new line, the indentation and a
// comma each and a new line and indentation before the closing bracket,
// for %v a space between two.
func (s *sizer) perElement(n, depth int) int64 {
	switch {
	case n == 0:
		return 0
	case s.json:
		return int64(n)*int64(2*depth+4) + int64(2*depth)
	}
	return int64(n - 1)
}

// digits is how many characters %d writes for i.
func digits(i int) int64 {
	n := int64(1)
	if i < 0 {
		n++
	}
	for i >= 10 || i <= -10 {
		i /= 10
		n++
	}
	return n
}

// toJSON is expr's toJSON(v): v as JSON indented by two spaces, as
// json.MarshalIndent writes it.
func toJSON(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("toJSON", args, 1)
	if err != nil {
		return nil, err
	}
	v := deref(rest[0])
	n, err := textSize(ctx, v, true, budgetFrom(ctx).Limit())
	if err == nil {
		err = allow(ctx, n)
	}
	if err != nil {
		return nil, err
	}
	return jsonText(ctx, v, n)
}

// stringOf is expr's string(v): v as Go's %v writes it.
func stringOf(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("string", args, 1)
	if err != nil {
		return nil, err
	}
	v := deref(rest[0])
	if err := AllowText(ctx, v); err != nil {
		return nil, err
	}
	return builtin.String(v), nil
}

// AllowText asks ctx's Budget for about the bytes v takes written out as
// text, as string(v) writes it or a template's ${v} (JSON without
// indentation, about as long). Strings, numbers, booleans and nil, whose
// text is no larger than they are, pass at once.
func AllowText(ctx context.Context, v any) error {
	switch v.(type) {
	case string, int, float64, bool, nil:
		return nil
	}
	return allowText(ctx, v, false)
}

// allowText asks the budget for the bytes v takes written out.
func allowText(ctx context.Context, v any, asJSON bool) error {
	n, err := textSize(ctx, v, asJSON, budgetFrom(ctx).Limit())
	if err != nil {
		return err
	}
	return allow(ctx, n)
}
