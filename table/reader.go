package table

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unsafe"
)

// Reader reads the rows of a CSV file whose first record is its header.
// With a schema, its rows are of the schema's row type, every cell checked
// and typed; without one, of the header's own type, every cell a string.
// A Reader is used by one goroutine.
type Reader struct {
	file   string
	dec    *decoder
	layout *Layout
	typed  bool     // rows of a schema: Next gives values, ReadAll a slice of them
	header []string // nil for an empty file
	from   []int    // for each column of layout, the field of a record that holds it
}

// NewReader reads the header of the CSV text r gives; file names it in
// errors. s nil reads without a schema.
func NewReader(file string, r io.Reader, s *Schema) (*Reader, error) {
	return newReader(file, &readerLines{r: bufio.NewReaderSize(r, 64<<10)}, s)
}

// NewTextReader is NewReader over a text held whole, whose unquoted cells
// the rows then share instead of copying.
func NewTextReader(file, text string, s *Schema) (*Reader, error) {
	return newReader(file, &textLines{text: text}, s)
}

func newReader(file string, src lines, s *Schema) (*Reader, error) {
	r := &Reader{file: file, dec: newDecoder(file, src), typed: s != nil}
	rec, err := r.dec.record()
	switch {
	case errors.Is(err, io.EOF) && s != nil:
		return nil, &DataError{File: file, Why: fmt.Sprintf("the file is empty, where schema %s wants the header %s", s.Name, strings.Join(s.Names(), ","))}
	case errors.Is(err, io.EOF):
		return r, nil
	case err != nil:
		return nil, err
	}
	r.header = append([]string(nil), rec...)
	if err := r.uniqueHeader(); err != nil {
		return nil, err
	}
	if s == nil {
		r.layout = headerLayout(r.header)
		r.from = make([]int, len(r.header))
		for i := range r.from {
			r.from[i] = i
		}
		return r, nil
	}
	r.layout = layoutFor(s)
	return r, r.bind(s)
}

// Header is the file's header row; nil for an empty file.
func (r *Reader) Header() []string { return r.header }

// Layout is the layout of the rows; nil for an empty file read without a
// schema.
func (r *Reader) Layout() *Layout { return r.layout }

// uniqueHeader rejects a header that names a column twice.
func (r *Reader) uniqueHeader() error {
	seen := make(map[string]int, len(r.header))
	for i, h := range r.header {
		if j, dup := seen[h]; dup {
			return &DataError{File: r.file, Line: r.dec.start, Column: i + 1, Name: h, Row: shortRow(r.dec.row),
				Why: fmt.Sprintf("the header names this column twice (columns %d and %d)", j+1, i+1)}
		}
		seen[h] = i
	}
	return nil
}

// bind finds each column of s in the header: a column of s the header
// lacks is an error, and so, when s is strict, is a column of the header
// that s does not name. Either error names both headers.
func (r *Reader) bind(s *Schema) error {
	at := make(map[string]int, len(r.header))
	for i, h := range r.header {
		at[h] = i
	}
	both := fmt.Sprintf("the header is %s; schema %s wants %s", strings.Join(r.header, ","), s.Name, strings.Join(s.Names(), ","))
	if s.Strict {
		for i, h := range r.header {
			if r.layout.Index(h) < 0 {
				return &DataError{File: r.file, Line: r.dec.start, Column: i + 1, Name: h, Row: shortRow(r.dec.row),
					Why: "not in the schema (strict: false would leave it out): " + both}
			}
		}
	}
	r.from = make([]int, len(s.Columns))
	for i, c := range s.Columns {
		f, ok := at[c.Name]
		if !ok {
			return &DataError{File: r.file, Line: r.dec.start, Name: c.Name, Row: shortRow(r.dec.row),
				Why: "missing from the header: " + both}
		}
		r.from[i] = f
	}
	return nil
}

// Next returns the next row, or io.EOF after the last: a value of the
// schema's row type, or without a schema a pointer to a row.
func (r *Reader) Next() (any, error) {
	if r.header == nil {
		return nil, io.EOF
	}
	rec, err := r.dec.record()
	if err != nil {
		return nil, err
	}
	p := reflect.New(r.layout.Type)
	if err := r.fill(p.UnsafePointer(), rec); err != nil {
		return nil, err
	}
	if r.typed {
		return p.Elem().Interface(), nil
	}
	return p.Interface(), nil
}

// checkEvery is how many rows ReadAll reads between two looks at ctx.
const checkEvery = 4096

// ReadAll reads the rest of the rows: with a schema, a slice of its row
// type ([]T); without one, a []any of pointers into one slice of rows.
// sizeHint is how many rows there may be (more is fine). It stops when ctx
// ends.
func (r *Reader) ReadAll(ctx context.Context, sizeHint int) (any, error) {
	if r.header == nil {
		return []any{}, nil
	}
	rows := reflect.New(reflect.SliceOf(r.layout.Type)).Elem()
	rows.Set(reflect.MakeSlice(rows.Type(), max(sizeHint, 1), max(sizeHint, 1)))
	size := r.layout.Type.Size()
	n := 0
	for ; ; n++ {
		if n%checkEvery == checkEvery-1 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := r.dec.record()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if n == rows.Len() {
			rows = grow(rows)
		}
		if err := r.fill(unsafe.Add(rows.UnsafePointer(), uintptr(n)*size), rec); err != nil {
			return nil, err
		}
	}
	rows = rows.Slice3(0, n, n)
	if r.typed {
		return rows.Interface(), nil
	}
	out := make([]any, n)
	for i := range out {
		out[i] = rows.Index(i).Addr().Interface()
	}
	return out, nil
}

// grow doubles a slice of rows, keeping its rows.
func grow(rows reflect.Value) reflect.Value {
	bigger := reflect.New(rows.Type()).Elem()
	bigger.Set(reflect.MakeSlice(rows.Type(), 2*rows.Len(), 2*rows.Len()))
	reflect.Copy(bigger, rows)
	return bigger
}

// fill checks and stores a record's cells in the row at p.
func (r *Reader) fill(p unsafe.Pointer, rec []string) error {
	if len(rec) != len(r.header) {
		return &DataError{File: r.file, Line: r.dec.start, Row: shortRow(r.dec.row),
			Why: fmt.Sprintf("row has %d %s, header has %d", len(rec), plural(len(rec), "field"), len(r.header))}
	}
	l := r.layout
	for i, f := range r.from {
		cell := rec[f]
		switch {
		case l.kinds[i] == cellString && (cell != "" || l.Schema.Columns[i].Null):
			l.setString(p, i, cell)
			continue
		case l.kinds[i] == cellInt:
			if n, ok := parseInt(cell); ok {
				l.setInt(p, i, n)
				continue
			}
		}
		c := &l.Schema.Columns[i]
		v, why := c.parse(cell)
		if why != "" {
			return &DataError{File: r.file, Line: r.dec.start, Column: f + 1, Name: c.Name, Text: cell, Row: shortRow(r.dec.row), Why: why}
		}
		l.set(p, i, v)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
