package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/poolflow/poolflow/table"
)

// Table rows (package table) are kept as the CSV text of their rows, with
// their schema, and read back by the same CSV codec that read them in the
// first place: a reused result is rows of the same Go type, which CSV
// output, unique and expressions treat exactly as fresh ones, and a
// journal of rows costs what their CSV costs, to write and to read. The
// tag:
//
//	{"csv": {"s": SCHEMA, "f": FORM, "t": "header\nrow\n..."}}
//
// SCHEMA is {"n": name, "strict": bool, "cols": [{"n", "t", "l", "null"}]}.
// FORM is how the rows were held: row (a row), prow (a pointer to one),
// rows (a slice of rows), lrows and lprows (a []any of rows, or of
// pointers to rows, of one type).

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

type csvJSON struct {
	Schema schemaJSON `json:"s"`
	Form   string     `json:"f"`
	Text   string     `json:"t"`
}

func schemaOf(l *table.Layout) schemaJSON {
	s := schemaJSON{Name: l.Schema.Name, Strict: l.Schema.Strict}
	for _, c := range l.Schema.Columns {
		s.Columns = append(s.Columns, columnJSON{Name: c.Name, Type: c.Type, Layout: c.Layout, Null: c.Null})
	}
	return s
}

func (s schemaJSON) schema() *table.Schema {
	schema := &table.Schema{Name: s.Name, Strict: s.Strict}
	for _, c := range s.Columns {
		schema.Columns = append(schema.Columns, table.Column{Name: c.Name, Type: c.Type, Layout: c.Layout, Null: c.Null})
	}
	return schema
}

// encodeRows appends the encoding of v when it is a row or rows.
func encodeRows(b []byte, v any) ([]byte, bool, error) {
	if l, p, ok := table.LayoutOfValue(v); ok {
		form := "row"
		if reflect.TypeOf(v).Kind() == reflect.Pointer {
			form = "prow"
		}
		return appendCSV(b, form, l, 1, func(int) unsafe.Pointer { return p }), true, nil
	}
	if l, n, at, ok := table.Rows(v); ok {
		return appendCSV(b, "rows", l, n, at), true, nil
	}
	if list, ok := v.([]any); ok && len(list) > 0 {
		if l, ptr, ok := oneRowType(list); ok {
			form := "lrows"
			if ptr {
				form = "lprows"
			}
			return appendCSV(b, form, l, len(list), func(i int) unsafe.Pointer {
				_, p, _ := table.LayoutOfValue(list[i])
				return p
			}), true, nil
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

// appendCSV appends the csv tag of n rows of layout l.
func appendCSV(b []byte, form string, l *table.Layout, n int, at func(int) unsafe.Pointer) []byte {
	var text bytes.Buffer
	w := table.NewWriter(&text)
	w.Record(l.Names())
	cols := make([]int, len(l.Columns()))
	for i := range cols {
		cols[i] = i
	}
	for i := range n {
		w.Row(l, at(i), cols)
	}
	w.Flush() // into a bytes.Buffer: it cannot fail
	schema, _ := json.Marshal(schemaOf(l))
	b = append(append(append(b, `{"csv":{"s":`...), schema...), `,"f":`...)
	b = appendString(b, form)
	b = appendString(append(b, `,"t":`...), text.String())
	return append(b, "}}"...)
}

// decodeRows reads the value of a csv tag.
func decodeRows(v any) (any, error) {
	raw, err := json.Marshal(v) // v was decoded with UseNumber: it marshals back as it was
	if err != nil {
		return nil, err
	}
	var c csvJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	return c.rows()
}

// rows reads the rows back, in their form.
func (c csvJSON) rows() (any, error) {
	r, err := table.NewTextReader("journal", c.Text, c.Schema.schema())
	if err != nil {
		return nil, err
	}
	all, err := r.ReadAll(context.Background(), 0)
	if err != nil {
		return nil, err
	}
	rows := reflect.ValueOf(all)
	switch c.Form {
	case "rows":
		return all, nil
	case "row", "prow":
		if rows.Len() != 1 {
			return nil, fmt.Errorf("a %s of %d rows", c.Form, rows.Len())
		}
		if c.Form == "prow" {
			return rows.Index(0).Addr().Interface(), nil
		}
		return rows.Index(0).Interface(), nil
	case "lrows", "lprows":
		out := make([]any, rows.Len())
		for i := range out {
			if c.Form == "lprows" {
				out[i] = rows.Index(i).Addr().Interface()
			} else {
				out[i] = rows.Index(i).Interface()
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown form of rows %q", c.Form)
}
