package builtins

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/poolflow/poolflow/table"
)

// Canonical keys decide when uniq treats two values as equal. As under
// expr's ==, numbers are compared by value (1, int64(1) and 1.0 are
// equal), a string never equals a number ("1" and 1 differ), times are
// equal when they are the same instant, and lists of any element type are
// equal when their elements are. Maps are equal when their entries are,
// whatever the map's type, so map[string]string{"a": "x"} equals
// map[string]any{"a": "x"}.

// scalarKey returns a map key for a string, bool, nil or number, and false
// for anything else.
func scalarKey(v any) (any, bool) {
	switch v.(type) {
	case nil, string, bool:
		return v, true
	}
	return numberKey(v)
}

// numberKey returns v as an int64 when it is a whole number that fits, as
// a uint64 when it is a larger whole unsigned number, and as a float64
// otherwise. It returns false when v is not a number.
func numberKey(v any) (any, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return floatKey(n), true
	case int8, int16, int32:
		return reflect.ValueOf(n).Int(), true
	case uint, uint8, uint16, uint32, uint64, uintptr:
		return uintKey(reflect.ValueOf(n).Uint()), true
	case float32:
		return floatKey(float64(n)), true
	}
	return nil, false
}

func uintKey(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return u
}

func floatKey(f float64) any {
	if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
		return int64(f)
	}
	return f
}

// encoder writes canonical keys of lists and maps. Each value starts with
// a tag byte and strings carry their length, so no two different values
// share a key. The zero value is ready to use.
type encoder struct {
	buf  []byte
	keys []string // the sorted keys of the last map[string]string; scratch
}

func (e *encoder) reset() { e.buf = e.buf[:0] }

// value appends the key of v.
func (e *encoder) value(v any) {
	if k, ok := scalarKey(v); ok {
		e.scalar(k)
		return
	}
	switch v := v.(type) {
	case map[string]string:
		e.stringMap(v)
	case map[string]any:
		e.anyMap(v)
	case []any:
		e.list(len(v), func(i int) any { return v[i] })
	case []string:
		e.list(len(v), func(i int) any { return v[i] })
	case time.Time:
		e.buf = append(e.buf, 't')
		e.str(v.UTC().Format(time.RFC3339Nano))
	default:
		if l, p, ok := table.LayoutOfValue(v); ok {
			e.row(l, p)
			return
		}
		e.reflect(reflect.ValueOf(v))
	}
}

// row appends the key of a table row: as a map of its columns, so that a
// row equals a map with the same entries, its cells read in place.
func (e *encoder) row(l *table.Layout, p unsafe.Pointer) {
	e.mapHeader(len(l.ByName()))
	for _, i := range l.ByName() {
		e.str(l.Columns()[i].Name)
		if l.IsString(i) {
			e.str(l.StringAt(p, i))
		} else {
			e.value(l.Value(p, i))
		}
	}
	e.buf = append(e.buf, '}')
}

// AppendKey appends the canonical key of v to buf: two values have the
// same key exactly when uniq takes them for equal.
func AppendKey(buf []byte, v any) []byte {
	e := encoder{buf: buf}
	e.value(v)
	return e.buf
}

// scalar appends the key of a value returned by scalarKey.
func (e *encoder) scalar(k any) {
	switch k := k.(type) {
	case nil:
		e.buf = append(e.buf, 'z')
	case bool:
		e.buf = append(e.buf, 'b', "01"[boolIndex(k)])
	case string:
		e.str(k)
	case int64:
		e.buf = strconv.AppendInt(append(e.buf, 'i'), k, 10)
		e.buf = append(e.buf, ';')
	case uint64:
		e.buf = strconv.AppendUint(append(e.buf, 'u'), k, 10)
		e.buf = append(e.buf, ';')
	case float64:
		e.buf = strconv.AppendFloat(append(e.buf, 'f'), k, 'g', -1, 64)
		e.buf = append(e.buf, ';')
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// str appends s as 's', its length, ':' and its bytes.
func (e *encoder) str(s string) {
	e.buf = strconv.AppendInt(append(e.buf, 's'), int64(len(s)), 10)
	e.buf = append(append(e.buf, ':'), s...)
}

// list appends 'l', the length and the keys of at(0) … at(n-1).
func (e *encoder) list(n int, at func(int) any) {
	e.buf = strconv.AppendInt(append(e.buf, 'l'), int64(n), 10)
	e.buf = append(e.buf, '[')
	for i := range n {
		e.value(at(i))
	}
	e.buf = append(e.buf, ']')
}

// stringMap appends the key of m, whose values need no recursion. Rows
// of one CSV file share their keys, so it first tries the sorted keys of
// the last map it saw, looking them up, which is cheaper than iterating a
// map; otherwise it collects and sorts the entries in reused scratch.
func (e *encoder) stringMap(m map[string]string) {
	if !e.sameKeys(m) {
		e.keys = e.keys[:0]
		for k := range m {
			e.keys = append(e.keys, k)
		}
		slices.Sort(e.keys)
	}
	e.mapHeader(len(m))
	for _, k := range e.keys {
		e.str(k)
		e.str(m[k])
	}
	e.buf = append(e.buf, '}')
}

// sameKeys reports whether m has exactly the keys in e.keys.
func (e *encoder) sameKeys(m map[string]string) bool {
	if len(m) != len(e.keys) {
		return false
	}
	for _, k := range e.keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// anyMap appends the key of m, sorting its keys.
func (e *encoder) anyMap(m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.mapHeader(len(m))
	for _, k := range keys {
		e.str(k)
		e.value(m[k])
	}
	e.buf = append(e.buf, '}')
}

func (e *encoder) mapHeader(n int) {
	e.buf = strconv.AppendInt(append(e.buf, 'm'), int64(n), 10)
	e.buf = append(e.buf, '{')
}

// reflect appends the key of a value of any other type: slices and arrays
// as lists, maps with their entries sorted by key, and anything else by
// its type and Go syntax.
func (e *encoder) reflect(rv reflect.Value) {
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		e.list(rv.Len(), func(i int) any { return rv.Index(i).Interface() })
	case reflect.Map:
		e.reflectMap(rv)
	default:
		v := rv.Interface()
		e.buf = append(e.buf, 'o')
		e.str(fmt.Sprintf("%T %#v", v, v))
	}
}

// reflectMap appends the key of a map of any other type. String keys are
// sorted as anyMap sorts them; other keys by their own canonical keys.
func (e *encoder) reflectMap(rv reflect.Value) {
	if rv.Type().Key().Kind() == reflect.String {
		e.anyMap(stringKeyed(rv))
		return
	}
	entries := make([]string, 0, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		var sub encoder
		sub.value(it.Key().Interface())
		sub.value(it.Value().Interface())
		entries = append(entries, string(sub.buf))
	}
	slices.Sort(entries)
	e.mapHeader(len(entries))
	for _, s := range entries {
		e.buf = append(e.buf, s...)
	}
	e.buf = append(e.buf, '}')
}

// stringKeyed copies a map whose keys are strings into a map[string]any.
func stringKeyed(rv reflect.Value) map[string]any {
	m := make(map[string]any, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		m[it.Key().String()] = it.Value().Interface()
	}
	return m
}

// CanonicalKey is the key uniq compares values by: equal values (as uniq
// takes them: numbers by value, maps by their entries whatever their Go
// type) have equal keys, different values different keys.
func CanonicalKey(v any) []byte {
	var e encoder
	e.value(v)
	return e.buf
}
