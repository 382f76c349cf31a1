package builtins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// readJSON implements read_json(path): the file's one JSON value, with
// integral numbers as int and the others as float64.
func readJSON(args ...any) (any, error) {
	ctx, p, err := ctxString("read_json", args)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(ScopeFrom(ctx).readPath(p))
	if err != nil {
		return nil, fileError("read_json", ScopeFrom(ctx).Dir, p, err)
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, jsonError(p, b, err)
	}
	return v, nil
}

// errTrailing reports data after the first JSON value.
var errTrailing = errors.New("unexpected data after the JSON value")

// offsetError is a decoding error at byte position pos (0-based).
type offsetError struct {
	pos int
	err error
}

func (e *offsetError) Error() string { return e.err.Error() }

// decodeJSON decodes the single JSON value in b.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &offsetError{pos: int(se.Offset) - 1, err: err}
		}
		return nil, err
	}
	rest := bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n")
	if len(rest) > 0 {
		return nil, &offsetError{pos: len(b) - len(rest), err: errTrailing}
	}
	return normalizeJSON(v), nil
}

// jsonError describes a decoding error, with line and column when known.
func jsonError(name string, b []byte, err error) error {
	var oe *offsetError
	switch {
	case err == io.EOF:
		return fmt.Errorf("read_json: %q: no JSON value in file", name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("read_json: %q: unexpected end of JSON input", name)
	case !errors.As(err, &oe):
		return fmt.Errorf("read_json: %q: %w", name, err)
	}
	line, col := lineCol(b, oe.pos)
	return fmt.Errorf("read_json: %s:%d:%d: %w", name, line, col, oe.err)
}

// lineCol turns a 0-based byte position in b into a 1-based line and
// column, counting columns in bytes.
func lineCol(b []byte, pos int) (line, col int) {
	before := b[:max(0, min(pos, len(b)))]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// normalizeJSON replaces each json.Number in v with an int when it is
// integral and fits, and a float64 otherwise.
func normalizeJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		return normalizeNumber(v)
	case []any:
		for i, e := range v {
			v[i] = normalizeJSON(e)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = normalizeJSON(e)
		}
	}
	return v
}

func normalizeNumber(n json.Number) any {
	if i, err := n.Int64(); err == nil && i >= math.MinInt && i <= math.MaxInt {
		return int(i)
	}
	f, _ := n.Float64()
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int(f)
	}
	return f
}

// DecodeJSON decodes one JSON value the way read_json does: integral numbers
// become int, others float64. The runtime uses it for jsonl item sources.
func DecodeJSON(b []byte) (any, error) { return decodeJSON(b) }
