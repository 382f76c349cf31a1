package table

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Layout describes a row type: its columns and where each cell lies in a
// row's memory. A Layout is immutable and shared by every row of its type.
type Layout struct {
	Type    reflect.Type // the row's struct type
	Schema  *Schema      // the schema the type was made for; Name "" for a header's own type
	offsets []uintptr
	kinds   []cellKind
	byName  []int // column indexes in name order: canonical keys sort columns
}

// cellKind is how a cell is stored.
type cellKind uint8

const (
	cellString cellKind = iota
	cellInt
	cellFloat
	cellBool
	cellTime
	cellAny // a column that may be empty, of a type other than string: nil or the value
)

var (
	layouts    sync.Map // reflect.Type → *Layout
	headerRows sync.Map // the header's names joined by NUL → *Layout
	markerType = reflect.TypeOf(struct{}{})
	anyType    = reflect.TypeOf((*any)(nil)).Elem()
)

// RowType returns the struct type of the rows of s, made once per distinct
// schema (two schemas alike in name, columns and strictness share it).
func RowType(s *Schema) reflect.Type { return layoutFor(s).Type }

// LayoutOf returns the layout of a row type, or of a pointer to one.
func LayoutOf(t reflect.Type) (*Layout, bool) {
	if t == nil {
		return nil, false
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	l, ok := layouts.Load(t)
	if !ok {
		return nil, false
	}
	return l.(*Layout), true
}

// LayoutOfValue returns the layout of a row, a row type's value or a
// pointer to one, and the address of its cells.
func LayoutOfValue(v any) (*Layout, unsafe.Pointer, bool) {
	l, ok := LayoutOf(reflect.TypeOf(v))
	if !ok {
		return nil, nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		return l, rv.UnsafePointer(), true
	}
	// A struct in an interface is stored behind a pointer: read it in
	// place rather than copy it.
	return l, (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1], true
}

// headerLayout is the layout of the rows of a file read without a schema:
// one string column per name of its header.
func headerLayout(header []string) *Layout {
	key := strings.Join(header, "\x00")
	if l, ok := headerRows.Load(key); ok {
		return l.(*Layout)
	}
	s := &Schema{Columns: make([]Column, len(header))}
	for i, name := range header {
		s.Columns[i] = Column{Name: name, Type: String, Null: true}
	}
	l := layoutFor(s)
	headerRows.Store(key, l)
	return l
}

// layoutFor builds (or finds) the row type of s. The type carries the
// schema's name and strictness in the tag of a first field of size 0, so
// that it tells them apart and its Layout gives back the schema.
func layoutFor(s *Schema) *Layout {
	fields := []reflect.StructField{{Name: "Table", Type: markerType,
		Tag: reflect.StructTag(fmt.Sprintf(`expr:"-" json:"-" table:%s strict:"%t"`, strconv.Quote(s.Name), s.Strict))}}
	for i, c := range s.Columns {
		fields = append(fields, reflect.StructField{Name: "C" + strconv.Itoa(i), Type: fieldType(c),
			Tag: reflect.StructTag(fmt.Sprintf(`expr:%s json:%s`, strconv.Quote(c.Name), strconv.Quote(c.Name)))})
	}
	t := reflect.StructOf(fields)
	if l, ok := layouts.Load(t); ok {
		return l.(*Layout)
	}
	l := &Layout{Type: t, Schema: s, offsets: make([]uintptr, len(s.Columns)), kinds: make([]cellKind, len(s.Columns))}
	for i, c := range s.Columns {
		l.offsets[i] = t.Field(i + 1).Offset
		l.kinds[i] = kindOf(c)
		l.byName = append(l.byName, i)
	}
	slices.SortStableFunc(l.byName, func(a, b int) int { return strings.Compare(s.Columns[a].Name, s.Columns[b].Name) })
	actual, _ := layouts.LoadOrStore(t, l)
	return actual.(*Layout)
}

// fieldType is the Go type of a column's cells.
func fieldType(c Column) reflect.Type {
	switch kindOf(c) {
	case cellInt:
		return reflect.TypeOf(0)
	case cellFloat:
		return reflect.TypeOf(0.0)
	case cellBool:
		return reflect.TypeOf(false)
	case cellTime:
		return reflect.TypeOf(time.Time{})
	case cellAny:
		return anyType
	}
	return reflect.TypeOf("")
}

func kindOf(c Column) cellKind {
	if c.Type != String && c.Null {
		return cellAny
	}
	switch c.Type {
	case Int:
		return cellInt
	case Float:
		return cellFloat
	case Bool:
		return cellBool
	case Time:
		return cellTime
	}
	return cellString
}

// Columns lists the row type's columns.
func (l *Layout) Columns() []Column { return l.Schema.Columns }

// Names lists the row type's column names, in order.
func (l *Layout) Names() []string { return l.Schema.Names() }

// Index is the position of the column called name, or -1.
func (l *Layout) Index(name string) int {
	for i, c := range l.Schema.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// set stores a parsed cell value v of column i in the row at p.
func (l *Layout) set(p unsafe.Pointer, i int, v any) {
	at := unsafe.Add(p, l.offsets[i])
	switch l.kinds[i] {
	case cellString:
		*(*string)(at) = v.(string)
	case cellInt:
		*(*int)(at) = v.(int)
	case cellFloat:
		*(*float64)(at) = v.(float64)
	case cellBool:
		*(*bool)(at) = v.(bool)
	case cellTime:
		*(*time.Time)(at) = v.(time.Time)
	case cellAny:
		*(*any)(at) = v
	}
}

// setString stores a string cell without boxing it.
func (l *Layout) setString(p unsafe.Pointer, i int, s string) {
	*(*string)(unsafe.Add(p, l.offsets[i])) = s
}

// setInt stores an int cell without boxing it.
func (l *Layout) setInt(p unsafe.Pointer, i int, n int) {
	*(*int)(unsafe.Add(p, l.offsets[i])) = n
}

// Value returns cell i of the row at p.
func (l *Layout) Value(p unsafe.Pointer, i int) any {
	at := unsafe.Add(p, l.offsets[i])
	switch l.kinds[i] {
	case cellString:
		return *(*string)(at)
	case cellInt:
		return *(*int)(at)
	case cellFloat:
		return *(*float64)(at)
	case cellBool:
		return *(*bool)(at)
	case cellTime:
		return *(*time.Time)(at)
	}
	return *(*any)(at)
}

// AppendText appends the text of cell i of the row at p, as a CSV file
// holds it: a string as it is, a number as Go writes it shortest, a time
// in its column's layout, an empty cell as nothing.
func (l *Layout) AppendText(buf []byte, p unsafe.Pointer, i int) []byte {
	at := unsafe.Add(p, l.offsets[i])
	switch l.kinds[i] {
	case cellString:
		return append(buf, *(*string)(at)...)
	case cellInt:
		return strconv.AppendInt(buf, int64(*(*int)(at)), 10)
	case cellAny:
		return l.appendAny(buf, *(*any)(at), i)
	}
	return l.appendAny(buf, l.Value(p, i), i)
}

func (l *Layout) appendAny(buf []byte, v any, i int) []byte {
	switch x := v.(type) {
	case nil:
		return buf
	case string:
		return append(buf, x...)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case float64:
		return strconv.AppendFloat(buf, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(buf, x)
	case time.Time:
		c := l.Schema.Columns[i]
		return x.AppendFormat(buf, c.layout())
	}
	return fmt.Append(buf, v)
}

// Text is cell i of the row at p as text (see AppendText).
func (l *Layout) Text(p unsafe.Pointer, i int) string {
	if l.kinds[i] == cellString {
		return *(*string)(unsafe.Add(p, l.offsets[i]))
	}
	return string(l.AppendText(nil, p, i))
}

// ByName lists the column indexes sorted by the columns' names.
func (l *Layout) ByName() []int { return l.byName }

// IsString reports whether cell i is stored as a string.
func (l *Layout) IsString(i int) bool { return l.kinds[i] == cellString }

// StringAt returns string cell i of the row at p; IsString(i) must hold.
func (l *Layout) StringAt(p unsafe.Pointer, i int) string {
	return *(*string)(unsafe.Add(p, l.offsets[i]))
}

// Rows calls f with the address of each row of a slice of rows (of a row
// type, or of pointers to rows of one type), in order, and reports
// whether v was such a slice. f returning false stops it.
func Rows(v any) (*Layout, int, func(i int) unsafe.Pointer, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, 0, nil, false
	}
	et := rv.Type().Elem()
	l, ok := LayoutOf(et)
	if !ok {
		return nil, 0, nil, false
	}
	n := rv.Len()
	if n == 0 {
		return l, 0, nil, true
	}
	base, size := rv.UnsafePointer(), et.Size()
	if et.Kind() == reflect.Pointer {
		return l, n, func(i int) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Add(base, uintptr(i)*size)) }, true
	}
	return l, n, func(i int) unsafe.Pointer { return unsafe.Add(base, uintptr(i)*size) }, true
}

// Describe names a row type for people: "a row of schema shipments", or
// "a row with the columns id,name".
func (l *Layout) Describe() string {
	if l.Schema.Name != "" {
		return "a row of schema " + l.Schema.Name
	}
	return "a row with the columns " + strings.Join(l.Names(), ",")
}

// Explain puts each row type's description (Describe) in place of its Go
// type in msg, as expr's messages write it ("cannot fetch x from *struct
// { Table struct {} ... }"), and reports whether it changed anything.
func Explain(msg string) (string, bool) {
	if !strings.Contains(msg, "struct { Table struct {}") {
		return msg, false
	}
	changed := false
	layouts.Range(func(_, v any) bool {
		l := v.(*Layout)
		for _, t := range []string{"*" + l.Type.String(), l.Type.String()} {
			if strings.Contains(msg, t) {
				msg, changed = strings.ReplaceAll(msg, t, l.Describe()), true
			}
		}
		return true
	})
	return msg, changed
}

// LayoutFor returns the layout of the rows of s: the one RowType(s) has.
func LayoutFor(s *Schema) *Layout { return layoutFor(s) }

// SetCells stores cells, one per column as Value gives them, in the row at
// p (of l's type), or says which cell is not of its column's type.
func (l *Layout) SetCells(p unsafe.Pointer, cells []any) error {
	if len(cells) != len(l.kinds) {
		return fmt.Errorf("%d cells for %d columns", len(cells), len(l.kinds))
	}
	for i, v := range cells {
		if !l.fits(i, v) {
			return fmt.Errorf("column %s: a %T is not a cell of %s", l.Schema.Columns[i].Name, v, l.Describe())
		}
		l.set(p, i, v)
	}
	return nil
}

// fits reports whether v may be stored in cell i.
func (l *Layout) fits(i int, v any) bool {
	switch l.kinds[i] {
	case cellString:
		_, ok := v.(string)
		return ok
	case cellInt:
		_, ok := v.(int)
		return ok
	case cellFloat:
		_, ok := v.(float64)
		return ok
	case cellBool:
		_, ok := v.(bool)
		return ok
	case cellTime:
		_, ok := v.(time.Time)
		return ok
	}
	return true
}
