package table

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxRecord bounds the text of one record of a streamed CSV file.
const MaxRecord = 64 << 20

// lines gives the physical lines of a CSV text, without their line
// breaks (a carriage return before the break is dropped too).
type lines interface {
	line() (string, bool, error)
}

// textLines cuts a text held whole: every line, and so every unquoted
// cell, is a substring of it, which costs nothing per cell.
type textLines struct{ text string }

func (t *textLines) line() (string, bool, error) {
	if t.text == "" {
		return "", false, nil
	}
	l, rest, found := strings.Cut(t.text, "\n")
	t.text = rest
	if !found {
		t.text = ""
	}
	return strings.TrimSuffix(l, "\r"), true, nil
}

// readerLines reads lines from a stream, one string per line.
type readerLines struct {
	r   *bufio.Reader
	buf []byte
}

func (t *readerLines) line() (string, bool, error) {
	t.buf = t.buf[:0]
	for {
		chunk, err := t.r.ReadSlice('\n')
		t.buf = append(t.buf, chunk...)
		if len(t.buf) > MaxRecord {
			return "", false, fmt.Errorf("a line is longer than %d bytes", MaxRecord)
		}
		switch {
		case err == nil:
			return strings.TrimSuffix(string(t.buf[:len(t.buf)-1]), "\r"), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(t.buf) == 0 {
				return "", false, nil
			}
			return strings.TrimSuffix(string(t.buf), "\r"), true, nil
		default:
			return "", false, err
		}
	}
}

// decoder splits CSV text into records, as RFC 4180 says and as
// encoding/csv reads it: fields separated by commas; a field in double
// quotes may hold commas, line breaks and quotes written twice; a line
// break inside quotes is kept as \n; empty lines are skipped; a UTF-8 byte
// order mark at the start is dropped.
type decoder struct {
	file   string
	src    lines
	lineNo int      // the last line read
	start  int      // the line the current record starts on
	row    string   // the current record's first line, for errors
	fields []string // reused from one record to the next
	first  bool
	b      strings.Builder
}

func newDecoder(file string, src lines) *decoder {
	return &decoder{file: file, src: src, first: true}
}

// record returns the fields of the next record, or io.EOF. The slice is
// reused by the next call.
func (d *decoder) record() ([]string, error) {
	for {
		l, ok, err := d.src.line()
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", d.file, d.lineNo+1, err)
		}
		if !ok {
			return nil, io.EOF
		}
		d.lineNo++
		if d.first {
			l, d.first = strings.TrimPrefix(l, "\ufeff"), false
		}
		if l == "" {
			continue
		}
		d.start, d.row = d.lineNo, l
		if strings.IndexByte(l, '"') < 0 {
			return d.split(l), nil
		}
		return d.quoted(l)
	}
}

// split cuts a line without quotes at its commas.
func (d *decoder) split(l string) []string {
	d.fields = d.fields[:0]
	for {
		i := strings.IndexByte(l, ',')
		if i < 0 {
			d.fields = append(d.fields, l)
			return d.fields
		}
		d.fields = append(d.fields, l[:i])
		l = l[i+1:]
	}
}

// quoted reads a record with quotes in it, which may go on over several
// lines.
func (d *decoder) quoted(l string) ([]string, error) {
	d.fields = d.fields[:0]
	for {
		if l == "" || l[0] != '"' {
			i := strings.IndexByte(l, ',')
			field := l
			if i >= 0 {
				field = l[:i]
			}
			if strings.IndexByte(field, '"') >= 0 {
				return nil, d.syntax(len(d.fields)+1, `bare " in a field without quotes (write the field in quotes, and each " in it as "")`)
			}
			d.fields = append(d.fields, field)
			if i < 0 {
				return d.fields, nil
			}
			l = l[i+1:]
			continue
		}
		field, rest, err := d.quotedField(l[1:])
		if err != nil {
			return nil, err
		}
		d.fields = append(d.fields, field)
		switch {
		case rest == "":
			return d.fields, nil
		case rest[0] == ',':
			l = rest[1:]
		default:
			return nil, d.syntax(len(d.fields), `extraneous or missing " in a quoted field`)
		}
	}
}

// quotedField reads a quoted field's text after its opening quote, up to
// its closing quote, reading more lines while it goes on; rest is what
// follows the closing quote. A field of one line without "" is a
// substring of the line.
func (d *decoder) quotedField(l string) (field, rest string, err error) {
	if i := strings.IndexByte(l, '"'); i >= 0 && (i+1 == len(l) || l[i+1] != '"') {
		return l[:i], l[i+1:], nil
	}
	d.b.Reset()
	for {
		i := strings.IndexByte(l, '"')
		switch {
		case i < 0:
			d.b.WriteString(l)
			d.b.WriteByte('\n')
			next, ok, err := d.src.line()
			if err != nil {
				return "", "", fmt.Errorf("%s:%d: %w", d.file, d.lineNo+1, err)
			}
			if !ok {
				return "", "", d.syntax(len(d.fields)+1, `the file ends inside a quoted field (a " is missing)`)
			}
			d.lineNo++
			l = next
		case i+1 < len(l) && l[i+1] == '"':
			d.b.WriteString(l[:i+1])
			l = l[i+2:]
		default:
			d.b.WriteString(l[:i])
			return d.b.String(), l[i+1:], nil
		}
	}
}

func (d *decoder) syntax(column int, why string) error {
	return &DataError{File: d.file, Line: d.start, Column: column, Row: shortRow(d.row), Why: why}
}
