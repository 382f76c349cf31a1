package builtins

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// readCSV implements read_csv(path): one map per row, keyed by the header
// row. An empty file gives an empty list.
func readCSV(args ...any) (any, error) {
	ctx, p, err := ctxString("read_csv", args)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(ScopeFrom(ctx).readPath(p))
	if err != nil {
		return nil, fileError("read_csv", ScopeFrom(ctx).Dir, p, err)
	}
	if rows, ok, err := decodeSimpleCSV(p, string(data)); ok {
		if err != nil {
			return nil, err
		}
		return rows, nil
	}
	rows, err := decodeCSV(p, strings.NewReader(string(data)))
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// decodeSimpleCSV reads a CSV file that has no quotes, the common case, by
// cutting the text in place: every value is a substring of the one string
// read, so a file of many rows costs a map per row and nothing per value.
// ok is false when the text has quotes (or a BOM header it cannot take
// apart this way), for encoding/csv to read it.
func decodeSimpleCSV(name, text string) (rows []map[string]string, ok bool, err error) {
	if strings.ContainsRune(text, '"') {
		return nil, false, nil
	}
	text = strings.TrimPrefix(text, "\ufeff")
	rows = []map[string]string{}
	var header []string
	for lineNo := 1; text != ""; lineNo++ {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue // encoding/csv skips empty lines too
		}
		if header == nil {
			if header, err = simpleHeader(name, line); err != nil {
				return nil, true, err
			}
			continue
		}
		row := make(map[string]string, len(header))
		rest := line
		for i, h := range header {
			var field string
			var more bool
			field, rest, more = strings.Cut(rest, ",")
			if more != (i < len(header)-1) {
				n := strings.Count(line, ",") + 1
				return nil, true, fmt.Errorf("read_csv: %s:%d: row has %d %s, header has %d",
					name, lineNo, n, plural(n, "field"), len(header))
			}
			row[h] = field
		}
		rows = append(rows, row)
	}
	return rows, true, nil
}

// simpleHeader splits the header row and rejects duplicate column names.
func simpleHeader(name, line string) ([]string, error) {
	header := strings.Split(line, ",")
	return header, uniqueColumns(name, header)
}

// uniqueColumns rejects a header that names a column twice.
func uniqueColumns(name string, header []string) error {
	seen := make(map[string]bool, len(header))
	for _, h := range header {
		if seen[h] {
			return fmt.Errorf("read_csv: %s:1: duplicate column %q in header", name, h)
		}
		seen[h] = true
	}
	return nil
}

// decodeCSV reads CSV rows from r; name is the path used in errors.
func decodeCSV(name string, r io.Reader) ([]map[string]string, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.ReuseRecord = true
	header, err := readHeader(name, cr)
	if err == io.EOF {
		return []map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return readRows(name, cr, header)
}

// readHeader reads the header row, drops a UTF-8 byte order mark and
// rejects duplicate column names.
func readHeader(name string, cr *csv.Reader) ([]string, error) {
	rec, err := cr.Read()
	if err != nil {
		return nil, csvError(name, cr, rec, err)
	}
	header := append([]string{}, rec...)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if err := uniqueColumns(name, header); err != nil {
		return nil, err
	}
	return header, nil
}

// readRows reads the rows after the header.
func readRows(name string, cr *csv.Reader, header []string) ([]map[string]string, error) {
	rows := []map[string]string{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(name, cr, rec, err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
}

// csvError describes err from cr.Read as "read_csv: file:line: problem".
// io.EOF passes through unchanged.
func csvError(name string, cr *csv.Reader, rec []string, err error) error {
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return err
	case !errors.As(err, &pe):
		return fmt.Errorf("read_csv: %q: %w", name, err)
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return fmt.Errorf("read_csv: %s:%d: row has %d %s, header has %d",
			name, pe.StartLine, len(rec), plural(len(rec), "field"), cr.FieldsPerRecord)
	}
	return fmt.Errorf("read_csv: %s:%d:%d: %w", name, pe.Line, pe.Column, pe.Err)
}
