package runtime

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"reflect"
	"strings"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/table"
)

// source yields the items of a run one at a time. Streamed sources (lines,
// csv, jsonl, range) hold one item at a time, whatever their length.
type source interface {
	// next returns the next item, or io.EOF after the last.
	next() (any, error)
	close() error
}

// maxLine bounds one line of a lines or jsonl source.
const maxLine = 64 << 20

// openSource opens the plan's item source; lines from standard input are
// read from stdin. Paths resolve against plan.Dir.
func openSource(ctx context.Context, plan *dsl.Plan, stdin io.Reader) (source, error) {
	src, _, err := openNamedSource(ctx, plan, stdin)
	return src, err
}

// openNamedSource is openSource, also returning the path a file source
// reads, as the file's template gave it.
func openNamedSource(ctx context.Context, plan *dsl.Plan, stdin io.Reader) (source, string, error) {
	ev := newEvaluator(plan)
	ev.env[builtins.ContextVar] = builtins.WithScope(ctx, &builtins.Scope{Dir: plan.Dir, Index: -1})
	it := plan.Items
	switch it.Kind {
	case dsl.ItemsList:
		return &listSource{list: it.List}, "", nil
	case dsl.ItemsRange:
		return newRangeSource(it.Range), "", nil
	case dsl.ItemsExpr:
		v, err := ev.run(it.Expr)
		if err != nil {
			return nil, "", err
		}
		src, err := listOf(v)
		return src, "", err
	}
	if it.Stdin {
		return &lineSource{scan: newScanner(stdin, it.Null), name: "standard input", null: it.Null, close_: func() error { return nil }}, "-", nil
	}
	path, err := ev.render(it.Path, false)
	if err != nil {
		return nil, "", err
	}
	src, err := openFileSource(ctx, it, path, plan.Dir)
	return src, path, err
}

// openFileSource opens a lines, csv, jsonl or glob source at path.
func openFileSource(ctx context.Context, it *dsl.Items, path, dir string) (source, error) {
	kind := it.Kind
	if kind == dsl.ItemsGlob {
		matches, err := files.Glob(dir, path)
		if err != nil {
			return nil, fmt.Errorf("glob: %w", err)
		}
		return listOf(matches)
	}
	f, err := os.Open(files.Resolve(dir, path))
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		where := ""
		if errors.Is(err, fs.ErrNotExist) {
			where = files.Where(dir, path)
		}
		return nil, fmt.Errorf("%s %q: %w%s", kind, path, err, where)
	}
	switch kind {
	case dsl.ItemsCSV:
		return newCSVSource(f, path, it.Schema)
	case dsl.ItemsJSONL:
		return &lineSource{scan: newScanner(f, false), name: path, decode: builtins.DecodeJSON, close_: f.Close}, nil
	}
	return &lineSource{scan: newScanner(f, it.Null), name: path, null: it.Null, close_: f.Close}, nil
}

// newScanner reads lines, or with null NUL-terminated records, as find
// -print0 and xargs -0 write them.
func newScanner(r io.Reader, null bool) *bufio.Scanner {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), maxLine)
	if null {
		s.Split(splitNull)
	}
	return s
}

// splitNull is a bufio.SplitFunc for records ended by a NUL byte; the last
// one need not be.
func splitNull(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// listOf turns what an items expression gave into a source.
func listOf(v any) (source, error) {
	if l, ok := v.([]any); ok {
		return &listSource{list: l}, nil
	}
	rv := reflect.ValueOf(v)
	if v == nil || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) {
		return nil, fmt.Errorf("the items expression gave %s, not a list", describeType(v))
	}
	return &reflectSource{list: rv}, nil
}

func describeType(v any) string {
	if v == nil {
		return "nil"
	}
	return dsl.TypeText(reflect.TypeOf(v))
}

// sized is a source that knows how many items it has.
type sized interface{ length() int }

// sourceLength is the number of items src has left, or -1 when it streams.
func sourceLength(src source) int {
	if s, ok := src.(sized); ok {
		return s.length()
	}
	return -1
}

func (s *listSource) length() int    { return len(s.list) }
func (s *reflectSource) length() int { return s.list.Len() }
func (s *rangeSource) length() int   { return int(min(s.left, math.MaxInt)) }

type listSource struct {
	list []any
	i    int
}

func (s *listSource) next() (any, error) {
	if s.i >= len(s.list) {
		return nil, io.EOF
	}
	s.i++
	return s.list[s.i-1], nil
}

func (s *listSource) close() error { return nil }

type reflectSource struct {
	list reflect.Value
	i    int
}

func (s *reflectSource) next() (any, error) {
	if s.i >= s.list.Len() {
		return nil, io.EOF
	}
	s.i++
	return s.list.Index(s.i - 1).Interface(), nil
}

func (s *reflectSource) close() error { return nil }

// rangeSource counts from start to stop, excluding stop, as Python's range.
// It counts the items left rather than comparing with stop, so that a
// range ending near the largest int never steps past it and wraps around.
type rangeSource struct {
	next_, step int
	left        uint64
}

// newRangeSource returns the source of a range: start, stop, step.
func newRangeSource(r [3]int) *rangeSource {
	return &rangeSource{next_: r[0], step: r[2], left: dsl.RangeLength(r[0], r[1], r[2])}
}

func (s *rangeSource) next() (any, error) {
	if s.left == 0 {
		return nil, io.EOF
	}
	v := s.next_
	if s.left--; s.left > 0 {
		s.next_ += s.step
	}
	return v, nil
}

func (s *rangeSource) close() error { return nil }

// lineSource yields the lines of a file, or with decode their JSON values
// (blank lines skipped).
type lineSource struct {
	close_ func() error
	null   bool // NUL-terminated records, taken byte for byte
	scan   *bufio.Scanner
	name   string
	line   int
	decode func([]byte) (any, error)
}

func (s *lineSource) next() (any, error) {
	for s.scan.Scan() {
		s.line++
		b := s.scan.Bytes()
		if s.decode == nil && s.null {
			return string(b), nil
		}
		if s.decode == nil {
			return strings.TrimSuffix(string(b), "\r"), nil
		}
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		v, err := s.decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", s.name, s.line, err)
		}
		return v, nil
	}
	if err := s.scan.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", s.name, s.line+1, err)
	}
	return nil, io.EOF
}

func (s *lineSource) close() error { return s.close_() }

// csvSource yields the rows of a CSV file, read by package table's codec:
// of its schema's row type, or of the header's own.
type csvSource struct {
	file *os.File
	r    *table.Reader
}

func newCSVSource(f *os.File, name string, schema *table.Schema) (source, error) {
	r, err := table.NewReader(name, f, schema)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &csvSource{file: f, r: r}, nil
}

func (s *csvSource) next() (any, error) { return s.r.Next() }

func (s *csvSource) close() error { return s.file.Close() }

// Count is what a dry run knows of a plan's items.
type Count struct {
	N     int
	Known bool            // N is the count; false when counting would call something with side effects
	Empty *dsl.Diagnostic // the warning about a source known to give no item, or nil
}

// CountItems counts the items of a plan's source without running anything
// with side effects, for dry runs. pure says whether a function may be
// called; an items expression calling any other is not evaluated, and the
// count is then not known. A range or a list is counted at once.
func CountItems(ctx context.Context, plan *dsl.Plan, pure func(name string) bool) (Count, error) {
	n, known, path, err := countItems(ctx, plan, pure)
	c := Count{N: n, Known: known && err == nil}
	if c.Known && n == 0 {
		w := NoItemsWarning(plan, noItems(plan.Items, path))
		c.Empty = &w
	}
	return c, err
}

func countItems(ctx context.Context, plan *dsl.Plan, pure func(name string) bool) (n int, known bool, path string, err error) {
	if plan.Items.Kind == dsl.ItemsExpr {
		for _, name := range plan.Items.Expr.Calls {
			if !pure(name) {
				return 0, false, "", nil
			}
		}
	}
	if plan.Items.Stdin {
		return 0, false, "", nil // standard input is read once, by the run
	}
	src, path, err := openNamedSource(ctx, plan, nil)
	if err != nil {
		return 0, false, "", err
	}
	defer src.close()
	if n := sourceLength(src); n >= 0 { // a range, a list: no need to count
		return n, true, path, nil
	}
	for {
		if _, err := src.next(); err != nil {
			if errors.Is(err, io.EOF) {
				return n, true, path, nil
			}
			return n, false, path, err
		}
		n++
	}
}

// noItems says why a source gave no item, for the warning a run and a dry
// run print: path is the path a file source read.
func noItems(it *dsl.Items, path string) string {
	switch {
	case it.Stdin:
		return "standard input was empty"
	case it.Kind == dsl.ItemsGlob:
		return fmt.Sprintf("glob %q matched nothing", path)
	case it.Kind == dsl.ItemsLines:
		return fmt.Sprintf("%q has no lines", path)
	case it.Kind == dsl.ItemsCSV:
		return fmt.Sprintf("%q has no rows", path)
	case it.Kind == dsl.ItemsJSONL:
		return fmt.Sprintf("%q has no records", path)
	case it.Kind == dsl.ItemsRange:
		return fmt.Sprintf("range(%d, %d, %d) is empty", it.Range[0], it.Range[1], it.Range[2])
	case it.Kind == dsl.ItemsList:
		return "the list of items is empty"
	}
	return "the items expression gave an empty list"
}

// NoItemsWarning is the warning a run or a dry run gives for a source with
// no item in it: a mistyped glob, an empty file. why is what noItems says.
func NoItemsWarning(plan *dsl.Plan, why string) dsl.Diagnostic {
	hint := ""
	if k := plan.Items.Kind; (k == dsl.ItemsGlob || k == dsl.ItemsLines || k == dsl.ItemsCSV || k == dsl.ItemsJSONL) && !plan.Items.Stdin {
		hint = "relative paths resolve against " + files.Display(plan.Dir)
	}
	return dsl.Diagnostic{Pos: plan.Items.Pos, Span: 1, Severity: dsl.SeverityWarning, Code: "no-items",
		Message: "the items resolve to no item: " + why, Hint: hint}
}
