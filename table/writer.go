package table

import (
	"io"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Writer writes CSV records into a buffer it flushes to w, quoting a field
// exactly when encoding/csv would: when it holds a comma, a quote, a line
// break or a carriage return, starts with a space, or is `\.`. Records end
// with \n. A Writer is used by one goroutine.
type Writer struct {
	w       io.Writer
	buf     []byte
	scratch []byte
	err     error
}

// flushAt is the buffer size past which MaybeFlush writes it out.
const flushAt = 64 << 10

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, buf: make([]byte, 0, flushAt+4096)} }

// Record appends one record.
func (w *Writer) Record(fields []string) {
	for i, f := range fields {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendField(w.buf, f)
	}
	w.buf = append(w.buf, '\n')
}

// Row appends the cells of the row at p, columns cols of l in that order
// (an index -1 is an empty cell).
func (w *Writer) Row(l *Layout, p unsafe.Pointer, cols []int) {
	for i, c := range cols {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		switch {
		case c < 0:
		case l.kinds[c] == cellString:
			w.buf = appendField(w.buf, l.StringAt(p, c))
		case l.kinds[c] == cellInt || l.kinds[c] == cellFloat || l.kinds[c] == cellBool:
			w.buf = l.AppendText(w.buf, p, c) // never needs quotes
		default:
			w.scratch = l.AppendText(w.scratch[:0], p, c)
			w.buf = appendField(w.buf, string(w.scratch))
		}
	}
	w.buf = append(w.buf, '\n')
}

// Mark is where the next record will start in the buffer, for Since and
// Truncate.
func (w *Writer) Mark() int { return len(w.buf) }

// Since is the text appended after mark; valid until the next call.
func (w *Writer) Since(mark int) []byte { return w.buf[mark:] }

// Truncate drops the text appended after mark.
func (w *Writer) Truncate(mark int) { w.buf = w.buf[:mark] }

// MaybeFlush writes the buffer out once it is large; call it only between
// records, when no mark is held.
func (w *Writer) MaybeFlush() error {
	if len(w.buf) < flushAt {
		return w.err
	}
	return w.Flush()
}

// Flush writes the buffer out.
func (w *Writer) Flush() error {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
	return w.err
}

// appendField appends one field, quoted when it needs to be.
func appendField(buf []byte, f string) []byte {
	if !needsQuotes(f) {
		return append(buf, f...)
	}
	buf = append(buf, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			buf = append(buf, '"')
		}
		buf = append(buf, f[i])
	}
	return append(buf, '"')
}

// needsQuotes is encoding/csv's rule with a comma for separator.
func needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case '\n', '\r', '"', ',':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// Append appends text as it is, for writers of other formats that share
// the buffer and its marks.
func (w *Writer) Append(text []byte) { w.buf = append(w.buf, text...) }

// AppendString is Append for a string.
func (w *Writer) AppendString(text string) { w.buf = append(w.buf, text...) }
