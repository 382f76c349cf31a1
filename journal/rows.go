package journal

import (
	"encoding/json"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/poolflow/poolflow/table"
)

// Table rows (package table) are kept with their schema, so that a reused
// result is rows of the same Go type as the item gave: CSV output, unique
// and expressions then treat it exactly as a fresh one. The tags:
//
//	{"row":    {"s": SCHEMA, "c": [cells]}}     a row (a struct value)
//	{"prow":   {"s": SCHEMA, "c": [cells]}}     a pointer to a row
//	{"rows":   {"s": SCHEMA, "c": [[cells]...]}} a slice of rows ([]T)
//	{"lrows":  ...}                              a []any of rows of one type
//	{"lprows": ...}                              a []any of pointers to rows of one type
//
// SCHEMA is {"n": name, "strict": bool, "cols": [{"n", "t", "l", "null"}]};
// a cell is a value of the typed encoding.

type schemaJSON struct {
	Name    string       `json:"n"`
	Strict  bool         `json:"strict"`
	Columns []columnJSON `json:"cols"`
}

type columnJSON struct {
	Name   string     `json:"n"`
	Type   table.Type `json:"t"`
	Layout string     `json:"l,omitempty"`
	Null   bool       `json:"null,omitempty"`
}

type rowsJSON struct {
	Schema schemaJSON        `json:"s"`
	Cells  []json.RawMessage `json:"c"`
}

func schemaOf(l *table.Layout) schemaJSON {
	s := schemaJSON{Name: l.Schema.Name, Strict: l.Schema.Strict}
	for _, c := range l.Schema.Columns {
		s.Columns = append(s.Columns, columnJSON{Name: c.Name, Type: c.Type, Layout: c.Layout, Null: c.Null})
	}
	return s
}

func (s schemaJSON) layout() *table.Layout {
	schema := &table.Schema{Name: s.Name, Strict: s.Strict}
	for _, c := range s.Columns {
		schema.Columns = append(schema.Columns, table.Column{Name: c.Name, Type: c.Type, Layout: c.Layout, Null: c.Null})
	}
	return table.LayoutFor(schema)
}

// encodeRows appends the encoding of v when it is a row or rows.
func encodeRows(b []byte, v any) ([]byte, bool, error) {
	if l, p, ok := table.LayoutOfValue(v); ok {
		tag := "row"
		if reflect.TypeOf(v).Kind() == reflect.Pointer {
			tag = "prow"
		}
		cells, err := encodeCells(nil, l, p)
		if err != nil {
			return nil, true, err
		}
		out, err := encodeTagged(b, tag, l, []json.RawMessage{cells})
		return out, true, err
	}
	if l, n, at, ok := table.Rows(v); ok {
		out, err := encodeRowList(b, "rows", l, n, at)
		return out, true, err
	}
	if list, ok := v.([]any); ok && len(list) > 0 {
		if l, ptr, ok := oneRowType(list); ok {
			tag := "lrows"
			if ptr {
				tag = "lprows"
			}
			out, err := encodeRowList(b, tag, l, len(list), func(i int) unsafe.Pointer {
				_, p, _ := table.LayoutOfValue(list[i])
				return p
			})
			return out, true, err
		}
	}
	return b, false, nil
}

// oneRowType reports whether every element of list is a row of one type,
// all values or all pointers.
func oneRowType(list []any) (*table.Layout, bool, bool) {
	first := reflect.TypeOf(list[0])
	l, _, ok := table.LayoutOfValue(list[0])
	if !ok {
		return nil, false, false
	}
	for _, el := range list[1:] {
		if reflect.TypeOf(el) != first {
			return nil, false, false
		}
	}
	return l, first.Kind() == reflect.Pointer, true
}

func encodeRowList(b []byte, tag string, l *table.Layout, n int, at func(int) unsafe.Pointer) ([]byte, error) {
	cells := make([]json.RawMessage, n)
	for i := range n {
		c, err := encodeCells(nil, l, at(i))
		if err != nil {
			return nil, err
		}
		cells[i] = c
	}
	return encodeTagged(b, tag, l, cells)
}

func encodeTagged(b []byte, tag string, l *table.Layout, cells []json.RawMessage) ([]byte, error) {
	raw, err := json.Marshal(rowsJSON{Schema: schemaOf(l), Cells: cells})
	if err != nil {
		return nil, err
	}
	b = append(appendString(append(b, '{'), tag), ':')
	return append(append(b, raw...), '}'), nil
}

func encodeCells(b []byte, l *table.Layout, p unsafe.Pointer) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i := range l.Columns() {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = encodeValue(b, l.Value(p, i)); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// decodeRows reads the value of a row tag.
func decodeRows(tag string, v any) (any, error) {
	raw, err := json.Marshal(v) // v was decoded with UseNumber: it marshals back as it was
	if err != nil {
		return nil, err
	}
	var r rowsJSON
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	l := r.Schema.layout()
	rows := reflect.MakeSlice(reflect.SliceOf(l.Type), len(r.Cells), len(r.Cells))
	for i, c := range r.Cells {
		var raws []json.RawMessage
		if err := json.Unmarshal(c, &raws); err != nil {
			return nil, fmt.Errorf("a row's cells: %w", err)
		}
		cells := make([]any, len(raws))
		for j, raw := range raws {
			if cells[j], err = decodeValue(raw); err != nil {
				return nil, err
			}
		}
		if err := l.SetCells(rows.Index(i).Addr().UnsafePointer(), cells); err != nil {
			return nil, err
		}
	}
	switch tag {
	case "row", "prow":
		if rows.Len() != 1 {
			return nil, fmt.Errorf("%s holds %d rows", tag, rows.Len())
		}
		if tag == "prow" {
			return rows.Index(0).Addr().Interface(), nil
		}
		return rows.Index(0).Interface(), nil
	case "lrows", "lprows":
		out := make([]any, rows.Len())
		for i := range out {
			if tag == "lprows" {
				out[i] = rows.Index(i).Addr().Interface()
			} else {
				out[i] = rows.Index(i).Interface()
			}
		}
		return out, nil
	}
	return rows.Interface(), nil
}
