package runtime

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
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

// openSource opens the plan's item source. Paths resolve against plan.Dir.
func openSource(ctx context.Context, plan *dsl.Plan) (source, error) {
	ev := newEvaluator(plan)
	ev.env[builtins.ContextVar] = builtins.WithScope(ctx, &builtins.Scope{Dir: plan.Dir, Index: -1})
	it := plan.Items
	switch it.Kind {
	case dsl.ItemsList:
		return &listSource{list: it.List}, nil
	case dsl.ItemsRange:
		return &rangeSource{next_: it.Range[0], stop: it.Range[1], step: it.Range[2]}, nil
	case dsl.ItemsExpr:
		v, err := ev.run(it.Expr)
		if err != nil {
			return nil, err
		}
		return listOf(v)
	}
	path, err := ev.render(it.Path, false)
	if err != nil {
		return nil, err
	}
	return openFileSource(ctx, it.Kind, path, plan.Dir)
}

// openFileSource opens a lines, csv, jsonl or glob source at path.
func openFileSource(ctx context.Context, kind, path, dir string) (source, error) {
	if kind == dsl.ItemsGlob {
		scope := builtins.WithScope(ctx, &builtins.Scope{Dir: dir, Index: -1})
		glob, _ := builtins.Lookup("glob")
		v, err := glob.Fn(scope, path)
		if err != nil {
			return nil, err
		}
		return listOf(v)
	}
	f, err := os.Open((&builtins.Scope{Dir: dir}).Path(path))
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %q: %w", kind, path, err)
	}
	switch kind {
	case dsl.ItemsCSV:
		return newCSVSource(f, path)
	case dsl.ItemsJSONL:
		return &lineSource{file: f, scan: newScanner(f), name: path, decode: builtins.DecodeJSON}, nil
	}
	return &lineSource{file: f, scan: newScanner(f), name: path}, nil
}

func newScanner(r io.Reader) *bufio.Scanner {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), maxLine)
	return s
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
	return reflect.TypeOf(v).String()
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
func (s *rangeSource) length() int {
	if n := (s.stop - s.next_ + s.step - sign(s.step)) / s.step; n > 0 {
		return n
	}
	return 0
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

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
type rangeSource struct{ next_, stop, step int }

func (s *rangeSource) next() (any, error) {
	if (s.step > 0 && s.next_ >= s.stop) || (s.step < 0 && s.next_ <= s.stop) {
		return nil, io.EOF
	}
	v := s.next_
	s.next_ += s.step
	return v, nil
}

func (s *rangeSource) close() error { return nil }

// lineSource yields the lines of a file, or with decode their JSON values
// (blank lines skipped).
type lineSource struct {
	file   *os.File
	scan   *bufio.Scanner
	name   string
	line   int
	decode func([]byte) (any, error)
}

func (s *lineSource) next() (any, error) {
	for s.scan.Scan() {
		s.line++
		b := s.scan.Bytes()
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

func (s *lineSource) close() error { return s.file.Close() }

// csvSource yields one map per row, keyed by the header row.
type csvSource struct {
	file   *os.File
	r      *csv.Reader
	name   string
	header []string
}

func newCSVSource(f *os.File, name string) (source, error) {
	r := csv.NewReader(bufio.NewReader(f))
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &csvSource{file: f, r: r, name: name}, nil
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	return &csvSource{file: f, r: r, name: name, header: header}, nil
}

func (s *csvSource) next() (any, error) {
	if s.header == nil {
		return nil, io.EOF
	}
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil {
		line, _ := s.r.FieldPos(0)
		return nil, fmt.Errorf("%s:%d: %w", s.name, line, err)
	}
	row := make(map[string]string, len(s.header))
	for i, h := range s.header {
		row[h] = rec[i]
	}
	return row, nil
}

func (s *csvSource) close() error { return s.file.Close() }

// CountItems counts the items of a plan's source without running anything
// with side effects, for dry runs. pure says whether a function may be
// called; an items expression calling any other is not evaluated, and
// CountItems then returns known false.
func CountItems(ctx context.Context, plan *dsl.Plan, pure func(name string) bool) (n int, known bool, err error) {
	if plan.Items.Kind == dsl.ItemsExpr {
		for _, name := range plan.Items.Expr.Calls {
			if !pure(name) {
				return 0, false, nil
			}
		}
	}
	src, err := openSource(ctx, plan)
	if err != nil {
		return 0, false, err
	}
	defer src.close()
	for {
		if _, err := src.next(); err != nil {
			if errors.Is(err, io.EOF) {
				return n, true, nil
			}
			return n, false, err
		}
		n++
	}
}
