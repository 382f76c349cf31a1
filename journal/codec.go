package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The typed encoding writes a value as JSON that says its Go type where
// JSON alone would lose it. A string, a bool, null and an integer are as
// JSON writes them; everything else is an object of one key, the type's
// tag:
//
//	{"f": 2}            a float64 (integral, so JSON alone would read an int)
//	{"i64": 2}          an int64
//	{"l": [...]}        a []any
//	{"m": {...}}        a map[string]any
//	{"ls": [...]}       a []string
//	{"ms": {...}}       a map[string]string
//	{"lms": [...]}      a []map[string]string
//	{"t": "RFC3339"}    a time.Time
//	{"d": 1500000000}   a time.Duration, in nanoseconds
//
// Table rows keep their schema (rows.go). Any other struct, slice or map
// is written as a map or a list of its
// JSON form, which is what expressions read of it.

// encodeValue appends v's typed encoding to b.
func encodeValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return append(strconv.AppendInt(append(b, `{"i64":`...), x, 10), '}'), nil
	case float64:
		return encodeFloat(b, x)
	case []any:
		if out, ok, err := encodeRows(b, v); ok || err != nil {
			return out, err
		}
		return encodeList(append(b, `{"l":`...), len(x), func(i int) any { return x[i] })
	case []string:
		return encodeList(append(b, `{"ls":`...), len(x), func(i int) any { return x[i] })
	case map[string]any:
		return encodeMap(append(b, `{"m":`...), x)
	case map[string]string:
		return append(encodeStringMap(append(b, `{"ms":`...), x), '}'), nil
	case []map[string]string:
		b = append(b, `{"lms":[`...)
		for i, m := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = encodeStringMap(b, m)
		}
		return append(b, "]}"...), nil
	case time.Time:
		return append(appendString(append(b, `{"t":`...), x.Format(time.RFC3339Nano)), '}'), nil
	case time.Duration:
		return append(strconv.AppendInt(append(b, `{"d":`...), int64(x), 10), '}'), nil
	}
	if out, ok, err := encodeRows(b, v); ok || err != nil {
		return out, err
	}
	return encodeOther(b, v)
}

func encodeFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("cannot keep %v in a journal", f)
	}
	if f == math.Trunc(f) {
		return append(strconv.AppendFloat(append(b, `{"f":`...), f, 'f', -1, 64), '}'), nil
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64), nil
}

func encodeList(b []byte, n int, at func(int) any) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = encodeValue(b, at(i)); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

func encodeMap(b []byte, m map[string]any) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		if b, err = encodeValue(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, "}}"...), nil
}

func encodeStringMap(b []byte, m map[string]string) []byte {
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(appendString(b, k), ':'), m[k])
	}
	return append(b, '}')
}

// encodeOther writes any other value as its JSON form read back as plain
// values: a struct becomes a map of its JSON fields.
func encodeOther(b []byte, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	plain, err := decodePlain(raw)
	if err != nil {
		return nil, err
	}
	if rv := reflect.ValueOf(plain); plain != nil && rv.Type() == reflect.TypeOf(v) {
		return nil, fmt.Errorf("cannot keep a %T in a journal", v)
	}
	return encodeValue(b, plain)
}

// decodePlain decodes JSON with integral numbers as int.
func decodePlain(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return plainNumbers(v), nil
}

func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return number(x)
	case []any:
		for i := range x {
			x[i] = plainNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plainNumbers(x[k])
		}
	}
	return v
}

func number(n json.Number) any {
	if i, err := n.Int64(); err == nil && i >= math.MinInt && i <= math.MaxInt {
		return int(i)
	}
	f, _ := n.Float64()
	return f
}

// appendString appends s as a JSON string, as encoding/json writes it but
// for <, > and &, which it leaves as they are: the line is no HTML.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, `\u00`...)
				b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}

const hexDigits = "0123456789abcdef"

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeValue reads a typed encoding back into the value it was made of.
func decodeValue(raw json.RawMessage) (any, error) {
	if v, ok := plainScalar(raw); ok {
		return v, nil
	}
	if bytes.HasPrefix(raw, []byte(`{"csv":`)) { // rows: straight into their struct, not through any
		if c, ok := parseCSVTag(raw); ok {
			return c.rows()
		}
		var tagged struct {
			CSV csvJSON `json:"csv"`
		}
		if err := json.Unmarshal(raw, &tagged); err != nil {
			return nil, err
		}
		return tagged.CSV.rows()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return typed(v)
}

// plainScalar reads the commonest results at once: an integer, a string
// with no escapes, true, false, null.
func plainScalar(raw []byte) (any, bool) {
	switch s := string(raw); {
	case s == "true":
		return true, true
	case s == "false":
		return false, true
	case s == "null":
		return nil, true
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.ContainsAny(s[1:len(s)-1], `"\\`) && utf8.ValidString(s):
		return s[1 : len(s)-1], true
	case len(s) > 0 && (s[0] == '-' || s[0] >= '0' && s[0] <= '9'):
		if n, err := strconv.Atoi(s); err == nil {
			return n, true
		}
	}
	return nil, false
}

// typed turns what encoding/json decoded from a typed encoding into the
// value it stands for.
func typed(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return number(x), nil
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("not a typed value: an object of %d keys", len(x))
		}
		for tag, inner := range x {
			return tagged(tag, inner)
		}
	}
	return v, nil // string, bool, nil
}

func tagged(tag string, v any) (any, error) {
	switch tag {
	case "f":
		n, _ := v.(json.Number)
		return n.Float64()
	case "l":
		return typedList(v)
	case "m":
		return typedMap(v)
	case "ls":
		return stringsOf(v)
	case "ms":
		return stringMap(v)
	case "lms":
		list, _ := v.([]any)
		out := make([]map[string]string, len(list))
		for i, el := range list {
			m, err := stringMap(el)
			if err != nil {
				return nil, err
			}
			out[i] = m
		}
		return out, nil
	case "t":
		s, _ := v.(string)
		return time.Parse(time.RFC3339Nano, s)
	case "d":
		n, _ := v.(json.Number)
		d, err := n.Int64()
		return time.Duration(d), err
	case "i64":
		n, _ := v.(json.Number)
		return n.Int64()
	case "csv":
		return decodeRows(v)
	}
	return nil, fmt.Errorf("unknown type tag %q", tag)
}

func typedList(v any) ([]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("a list tag holds %T", v)
	}
	out := make([]any, len(list))
	for i, el := range list {
		t, err := typed(el)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

func typedMap(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a map tag holds %T", v)
	}
	out := make(map[string]any, len(m))
	for k, el := range m {
		t, err := typed(el)
		if err != nil {
			return nil, err
		}
		out[k] = t
	}
	return out, nil
}

func stringsOf(v any) ([]string, error) {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, el := range list {
		s, ok := el.(string)
		if !ok {
			return nil, fmt.Errorf("a string list holds %T", el)
		}
		out[i] = s
	}
	return out, nil
}

func stringMap(v any) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a string map is %T", v)
	}
	out := make(map[string]string, len(m))
	for k, el := range m {
		s, ok := el.(string)
		if !ok {
			return nil, fmt.Errorf("a string map holds %T", el)
		}
		out[k] = s
	}
	return out, nil
}
