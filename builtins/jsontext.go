package builtins

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/builtin"
)

// jsonText writes v as json.MarshalIndent(v, "", "  ") does, byte for
// byte, but into one builder of about size bytes (MarshalIndent holds the
// compact text, the indented text and the string at once), looking at ctx
// every chunk of values and stopping as soon as the text passes the
// budget's limit. Lists, maps with string keys, pointers and interfaces it
// writes itself; anything else (numbers, structs, types with their own
// MarshalJSON or MarshalText) is encoding/json's, indented in place.
func jsonText(ctx context.Context, v any, size int64) (string, error) {
	w := &jsonWriter{ctx: ctx, budget: budgetFrom(ctx)}
	w.b.Grow(int(min(size, w.budget.Limit())))
	if err := w.value(reflect.ValueOf(v), 0); err != nil {
		return "", err
	}
	return w.b.String(), nil
}

// jsonWriter is the state of jsonText.
type jsonWriter struct {
	ctx    context.Context
	budget Budget
	b      strings.Builder
	values int
	own    map[reflect.Type]methods // of the named types and pointers seen
}

// methods says whether a type, and its pointer, have MarshalJSON or
// MarshalText.
type methods struct{ value, pointer bool }

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// value writes v, found at nesting depth.
func (w *jsonWriter) value(v reflect.Value, depth int) error {
	if err := w.step(depth); err != nil {
		return err
	}
	switch {
	case !v.IsValid():
		w.b.WriteString("null")
		return nil
	case w.ownEncoding(v):
		return w.leaf(v, depth)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			w.b.WriteString("null")
			return nil
		}
		return w.value(v.Elem(), depth)
	case reflect.Slice:
		if v.IsNil() {
			w.b.WriteString("null")
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 { // base64
			return w.leaf(v, depth)
		}
		if ints, ok := v.Interface().([]int); ok { // a range: no value of it boxed
			return w.ints(ints, depth)
		}
		return w.list(v, depth)
	case reflect.Array:
		return w.list(v, depth)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return w.leaf(v, depth)
		}
		if v.IsNil() {
			w.b.WriteString("null")
			return nil
		}
		return w.object(v, depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.b.WriteString(strconv.FormatInt(v.Int(), 10))
		return nil
	}
	return w.leaf(v, depth)
}

// step counts a value, looks at the context every chunk of them, and
// fails past expr's nesting limit or once the text passes the budget's.
func (w *jsonWriter) step(depth int) error {
	if w.values++; w.values%chunk == 0 && w.ctx.Err() != nil {
		return w.ctx.Err()
	}
	if depth > builtin.MaxDepth {
		return builtin.ErrorMaxDepth
	}
	if n := int64(w.b.Len()); n > w.budget.Limit() {
		return w.budget.Allow(n)
	}
	return nil
}

// ownEncoding reports whether encoding/json writes v by a method of its
// type: MarshalJSON or MarshalText, on the value or, when v is
// addressable, on its pointer. Only a named type, or a pointer, has
// methods; what is found for a named type is kept.
func (w *jsonWriter) ownEncoding(v reflect.Value) bool {
	t := v.Type()
	if t.PkgPath() == "" && t.Kind() != reflect.Pointer {
		return false
	}
	m, seen := w.own[t]
	if !seen {
		pt := reflect.PointerTo(t)
		m = methods{value: t.Implements(marshalerType) || t.Implements(textMarshalerType),
			pointer: pt.Implements(marshalerType) || pt.Implements(textMarshalerType)}
		if w.own == nil {
			w.own = map[reflect.Type]methods{}
		}
		w.own[t] = m
	}
	return m.value || m.pointer && v.CanAddr()
}

// ints writes a list of integers, one a line.
func (w *jsonWriter) ints(list []int, depth int) error {
	if len(list) == 0 {
		w.b.WriteString("[]")
		return nil
	}
	w.b.WriteByte('[')
	var num [20]byte
	for i, n := range list {
		if err := w.step(depth + 1); err != nil {
			return err
		}
		w.separate(i, depth+1)
		w.b.Write(strconv.AppendInt(num[:0], int64(n), 10))
	}
	w.closing(']', depth)
	return nil
}

// list writes the elements of a slice or array, one a line.
func (w *jsonWriter) list(v reflect.Value, depth int) error {
	if v.Len() == 0 {
		w.b.WriteString("[]")
		return nil
	}
	w.b.WriteByte('[')
	for i := range v.Len() {
		w.separate(i, depth+1)
		if err := w.value(v.Index(i), depth+1); err != nil {
			return err
		}
	}
	w.closing(']', depth)
	return nil
}

// object writes a map with string keys, its keys sorted.
func (w *jsonWriter) object(v reflect.Value, depth int) error {
	if v.Len() == 0 {
		w.b.WriteString("{}")
		return nil
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	w.b.WriteByte('{')
	for i, k := range keys {
		w.separate(i, depth+1)
		key, _ := json.Marshal(k.String()) // a string always encodes
		w.b.Write(key)
		w.b.WriteString(": ")
		if err := w.value(v.MapIndex(k), depth+1); err != nil {
			return err
		}
	}
	w.closing('}', depth)
	return nil
}

// separate starts element i of a list or object at depth.
func (w *jsonWriter) separate(i, depth int) {
	if i > 0 {
		w.b.WriteByte(',')
	}
	w.newline(depth)
}

// closing ends a list or object at depth with c.
func (w *jsonWriter) closing(c byte, depth int) {
	w.newline(depth)
	w.b.WriteByte(c)
}

func (w *jsonWriter) newline(depth int) {
	w.b.WriteByte('\n')
	for range depth {
		w.b.WriteString("  ")
	}
}

// leaf writes v as encoding/json encodes it, indented from depth.
func (w *jsonWriter) leaf(v reflect.Value, depth int) error {
	if v.CanAddr() && !v.Type().Implements(marshalerType) && !v.Type().Implements(textMarshalerType) {
		v = v.Addr() // its pointer has the method
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		w.b.Write(b)
		return nil
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, strings.Repeat("  ", depth), "  "); err != nil {
		return err
	}
	w.b.Write(out.Bytes())
	return nil
}
