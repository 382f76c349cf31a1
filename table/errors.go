package table

import (
	"fmt"
	"strings"
)

// DataError is a problem with a table's data: a cell that does not fit its
// column, a header that does not match the schema, a row of the wrong
// length, a quote out of place. Its message starts with FILE:LINE:COLUMN,
// the column being the field's number from 1, as editors and the
// examples of spec.md show it.
type DataError struct {
	File   string // the file as the pipeline named it
	Line   int    // the line the record starts on, from 1
	Column int    // the field's number, from 1; 0 when the problem is the whole row
	Name   string // the column's name; "" when the problem is not one column's
	Text   string // the cell's text, when the problem is one cell
	Row    string // the record as read, at most 200 characters, for the display
	Why    string // what is wrong, without the place
}

func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Name != "" {
		b.WriteString("column " + e.Name + ": ")
	}
	b.WriteString(e.Why)
	return b.String()
}

// shortRow cuts a record's text to 200 characters for DataError.Row.
func shortRow(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:197]) + "..."
	}
	return s
}
