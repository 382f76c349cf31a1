package table

import (
	"fmt"
	"strconv"
	"time"
)

// Type is a column's type.
type Type string

// Column types.
const (
	String Type = "string"
	Int    Type = "int"
	Float  Type = "float"
	Bool   Type = "bool"
	Time   Type = "time"
)

// Types lists every column type, for validation and the JSON Schema.
var Types = []Type{String, Int, Float, Bool, Time}

// DefaultLayout is the layout of a time column that names none.
const DefaultLayout = time.RFC3339

// Column is one column of a schema.
type Column struct {
	Name   string
	Type   Type
	Layout string // Time only: a Go time layout; "" means DefaultLayout
	Null   bool   // an empty cell is allowed: "" for a string, nil otherwise
}

// Schema says which columns a table has and of what type. It is
// immutable once built; share it freely.
type Schema struct {
	Name    string
	Columns []Column
	// Strict makes a column the schema does not name an error; otherwise
	// such a column is left out of the rows.
	Strict bool
}

// Names lists the schema's column names, in order.
func (s *Schema) Names() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

// layout is the time layout of a column.
func (c *Column) layout() string {
	if c.Layout == "" {
		return DefaultLayout
	}
	return c.Layout
}

// article is "an" before int, "a" before the others, for messages.
func (t Type) article() string {
	if t == Int {
		return "an " + string(t)
	}
	return "a " + string(t)
}

// parse reads a cell of column c. ok is false when it does not fit, with
// why saying what is wrong.
func (c *Column) parse(text string) (v any, why string) {
	if text == "" {
		if c.Null {
			if c.Type == String {
				return "", ""
			}
			return nil, ""
		}
		return nil, fmt.Sprintf("empty cell, where the schema wants %s (null: true allows empty cells)", c.Type.article())
	}
	switch c.Type {
	case String:
		return text, ""
	case Int:
		if n, ok := parseInt(text); ok {
			return n, ""
		}
	case Float:
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f, ""
		}
	case Bool:
		if b, err := strconv.ParseBool(text); err == nil {
			return b, ""
		}
	case Time:
		if t, err := time.Parse(c.layout(), text); err == nil {
			return t, ""
		}
		return nil, fmt.Sprintf("%s is not a time in the layout %s", quote(text), c.layout())
	}
	return nil, fmt.Sprintf("%s is not %s", quote(text), c.Type.article())
}

// parseInt reads a decimal integer that fits in 64 bits, with an optional
// sign, faster than strconv for the common short case.
func parseInt(s string) (int, bool) {
	if len(s) == 0 || len(s) > 18 {
		n, err := strconv.ParseInt(s, 10, 64)
		return int(n), err == nil
	}
	neg := false
	i := 0
	if s[0] == '-' || s[0] == '+' {
		neg, i = s[0] == '-', 1
		if len(s) == 1 {
			return 0, false
		}
	}
	n := 0
	for ; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int(d)
	}
	if neg {
		n = -n
	}
	return n, true
}

// quote shows a cell's text in a message, at most 60 characters.
func quote(text string) string {
	if r := []rune(text); len(r) > 60 {
		return strconv.Quote(string(r[:57])) + "..."
	}
	return strconv.Quote(text)
}
