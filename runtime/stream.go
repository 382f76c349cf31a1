package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/table"
)

// rowsWriter writes output.rows: the rows of each result, appended as the
// collector delivers it, in delivery order, to a file replaced atomically
// when the run succeeds (files.Pending), or to standard output. With
// unique it keeps one 64-bit hash per row written, never the rows: a row
// is dropped when an earlier one was written with the same text (or, with
// a key expression, had the same key). Only the collector uses it.
type rowsWriter struct {
	o        *dsl.Output
	ev       *evaluator
	to       string         // the path, or "-"
	pending  *files.Pending // nil for standard output
	w        *table.Writer  // every format writes into its buffer, flushed to the file
	header   []string       // csv: the columns, once known
	explicit bool           // the header is output.columns
	cols     map[*table.Layout][]int
	seen     hashSet
	seed     maphash.Seed
	rows     int // rows written
	key      []byte
	cells    []string
	json     bytes.Buffer
}

// openRows starts the rows output: renders to (which sees params only),
// opens the file, and writes the CSV header when it is known already.
func (r *run) openRows(rn *runner) (*rowsWriter, *Error) {
	o := r.plan.Output
	fail := func(err error) *Error { return runError(KindOutput, "output", dsl.At(o.To.Pos), err) }
	to, err := rn.ev.render(o.To, false)
	if err != nil {
		return nil, fail(err)
	}
	rw := &rowsWriter{o: o, ev: rn.ev, to: to, cols: map[*table.Layout][]int{}, seed: maphash.MakeSeed()}
	var dest io.Writer
	if to == "-" {
		dest = r.eng.Stdout
		if dest == nil {
			dest = os.Stdout
		}
		dest = files.ContextWriter(r.ctx, dest)
	} else {
		rw.to = rn.scope.Path(to)
		if rw.pending, err = files.Create(r.ctx, rw.to); err != nil {
			return nil, runError(KindOutput, "output", dsl.At(o.Pos), err)
		}
		dest = rw.pending
	}
	rw.w = table.NewWriter(dest)
	switch {
	case len(o.Columns) > 0:
		rw.header, rw.explicit = o.Columns, true
	case o.Header != nil:
		rw.header = o.Header.Names()
	}
	if o.Format == "csv" && rw.header != nil {
		rw.w.Record(rw.header)
	}
	return rw, nil
}

// add writes the rows of one delivered result.
func (rw *rowsWriter) add(result, item any, index int) error {
	env := rw.ev.env
	env["result"], env["item"], env["index"] = result, item, index
	v, err := rw.ev.run(rw.o.Rows)
	if err != nil {
		return err
	}
	if err := rw.each(v); err != nil {
		return fmt.Errorf("item %d: %w", index, err)
	}
	return rw.w.MaybeFlush()
}

// each writes v's rows: each element of a list, or v itself.
func (rw *rowsWriter) each(v any) error {
	if v == nil {
		return nil
	}
	if l, n, at, ok := table.Rows(v); ok { // a list of table rows: read in place
		for i := range n {
			if err := rw.row(nil, l, at(i)); err != nil {
				return err
			}
		}
		return nil
	}
	if list, ok := asList(v); ok {
		for _, el := range list {
			if err := rw.one(el); err != nil {
				return err
			}
		}
		return nil
	}
	return rw.one(v)
}

// one writes a row given as a value.
func (rw *rowsWriter) one(v any) error {
	if l, p, ok := table.LayoutOfValue(v); ok {
		return rw.row(v, l, p)
	}
	return rw.row(v, nil, nil)
}

// row writes one row, a table row (l, p) or any other value v, unless
// unique finds it written already.
func (rw *rowsWriter) row(v any, l *table.Layout, p unsafePointer) error {
	if rw.o.UniqueKey != nil {
		dup, err := rw.seenKey(v, l, p)
		if dup || err != nil {
			return err
		}
	}
	mark := rw.w.Mark()
	start, err := rw.encode(v, l, p)
	if err != nil {
		return err
	}
	if rw.o.Unique && rw.o.UniqueKey == nil && rw.seenHash(maphash.Bytes(rw.seed, rw.w.Since(start))) {
		rw.w.Truncate(mark)
		return nil
	}
	rw.rows++
	return nil
}

// seenHash records h and reports whether it was seen before.
func (rw *rowsWriter) seenHash(h uint64) bool { return !rw.seen.add(h) }

// seenKey evaluates unique's key for a row and reports whether a row with
// that key was written before.
func (rw *rowsWriter) seenKey(v any, l *table.Layout, p unsafePointer) (bool, error) {
	if v == nil {
		v = rowValue(l, p)
	}
	rw.ev.env["row"] = v
	k, err := rw.ev.run(rw.o.UniqueKey)
	if err != nil {
		return false, err
	}
	rw.key = builtins.AppendKey(rw.key[:0], k)
	return rw.seenHash(maphash.Bytes(rw.seed, rw.key)), nil
}

// encode writes a row in the output's format; start is where the row's
// own text begins, after any separator or header.
func (rw *rowsWriter) encode(v any, l *table.Layout, p unsafePointer) (start int, err error) {
	switch rw.o.Format {
	case "csv":
		return rw.csvRow(v, l, p)
	case "json":
		if rw.rows == 0 {
			rw.w.AppendString("[\n  ")
		} else {
			rw.w.AppendString(",\n  ")
		}
		start = rw.w.Mark()
		return start, rw.jsonRow(v, l, p, "  ")
	case "text":
		start = rw.w.Mark()
		if v == nil {
			v = rowValue(l, p)
		}
		rw.w.AppendString(text(v))
		rw.w.AppendString("\n")
		return start, nil
	}
	start = rw.w.Mark()
	return start, rw.jsonRow(v, l, p, "")
}

// jsonRow writes a row as JSON: indented by indent for json, on one line
// for jsonl.
func (rw *rowsWriter) jsonRow(v any, l *table.Layout, p unsafePointer, indent string) error {
	if v == nil {
		v = rowValue(l, p)
	}
	rw.json.Reset()
	enc := json.NewEncoder(&rw.json)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent(indent, "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	b := rw.json.Bytes()
	if indent != "" {
		b = bytes.TrimSuffix(b, []byte("\n"))
	}
	rw.w.Append(b)
	return nil
}

// csvRow writes a row as a CSV record, and the header before the first
// row when it comes from that row.
func (rw *rowsWriter) csvRow(v any, l *table.Layout, p unsafePointer) (int, error) {
	if l != nil {
		if rw.header == nil {
			rw.header = l.Names()
			rw.w.Record(rw.header)
		}
		cols, err := rw.colsOf(l)
		if err != nil {
			return 0, err
		}
		start := rw.w.Mark()
		rw.w.Row(l, p, cols)
		return start, nil
	}
	cells, err := rw.mapCells(v)
	if err != nil {
		return 0, err
	}
	start := rw.w.Mark()
	rw.w.Record(cells)
	return start, nil
}

// colsOf maps the header to a row type's cells, once per type. A table
// row must have every column of the header, and, unless output.columns
// chose them, no other.
func (rw *rowsWriter) colsOf(l *table.Layout) ([]int, error) {
	if cols, ok := rw.cols[l]; ok {
		return cols, nil
	}
	cols := make([]int, len(rw.header))
	for i, h := range rw.header {
		if cols[i] = l.Index(h); cols[i] < 0 {
			return nil, rw.mismatch(l.Names(), h)
		}
	}
	if !rw.explicit && len(l.Names()) != len(rw.header) {
		return nil, rw.mismatch(l.Names(), "")
	}
	rw.cols[l] = cols
	return cols, nil
}

// mismatch says that a row's columns are not the header's.
func (rw *rowsWriter) mismatch(columns []string, missing string) error {
	if missing != "" {
		return fmt.Errorf("csv output: a row has no column %s: its columns are %s, the output's header is %s",
			missing, strings.Join(columns, ","), strings.Join(rw.header, ","))
	}
	return fmt.Errorf("csv output: a row has the columns %s, the output's header is %s (output.columns chooses some)",
		strings.Join(columns, ","), strings.Join(rw.header, ","))
}

// mapCells gives a map's cells in header order (a missing key is an empty
// cell); without a header yet, the map's sorted keys become it.
func (rw *rowsWriter) mapCells(v any) ([]string, error) {
	row, err := csvRow(v)
	if err != nil {
		return nil, fmt.Errorf("csv output: %w", err)
	}
	if rw.header == nil {
		for k := range row {
			rw.header = append(rw.header, k)
		}
		sort.Strings(rw.header)
		rw.w.Record(rw.header)
	}
	rw.cells = rw.cells[:0]
	found := 0
	for _, h := range rw.header {
		c, ok := row[h]
		if ok {
			found++
		}
		rw.cells = append(rw.cells, c)
	}
	if !rw.explicit && found != len(row) {
		keys := make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, rw.mismatch(keys, "")
	}
	return rw.cells, nil
}

// finish ends the output of a run that succeeded: the end of a JSON list,
// then the file in place of the old one.
func (rw *rowsWriter) finish() error {
	if rw.o.Format == "json" {
		if rw.rows == 0 {
			rw.w.AppendString("[]\n")
		} else {
			rw.w.AppendString("\n]\n")
		}
	}
	if err := rw.w.Flush(); err != nil {
		return err
	}
	if rw.pending == nil {
		return nil
	}
	err := rw.pending.Commit()
	rw.pending = nil
	return err
}

// discard drops what was written to a file, which stays as it was. It does
// nothing once finish has run.
func (rw *rowsWriter) discard() {
	if rw != nil && rw.pending != nil {
		rw.pending.Discard()
		rw.pending = nil
	}
}

// folder keeps output.fold's accumulator: init once, when the run starts,
// then step for each delivered result. It holds the accumulator alone.
type folder struct {
	f   *dsl.Fold
	ev  *evaluator
	acc any
}

func newFolder(f *dsl.Fold, ev *evaluator) (*folder, error) {
	acc, err := ev.run(f.Init)
	if err != nil {
		return nil, err
	}
	return &folder{f: f, ev: ev, acc: acc}, nil
}

// add folds one delivered result into the accumulator.
func (fo *folder) add(result, item any, index int) error {
	env := fo.ev.env
	env["acc"], env["result"], env["item"], env["index"] = fo.acc, result, item, index
	acc, err := fo.ev.run(fo.f.Step)
	if err != nil {
		return err
	}
	fo.acc = acc
	return nil
}

// openStream starts what output writes as results are delivered: the rows
// file, or the fold's accumulator. A failure aborts the run before any
// item starts.
func (c *collector) openStream() {
	o := c.r.plan.Output
	switch {
	case o == nil:
	case o.Rows != nil:
		rw, err := c.r.openRows(c.rn)
		if err != nil {
			c.r.abort(err)
			return
		}
		c.rows = rw
	case o.Fold != nil:
		fo, err := newFolder(o.Fold, c.rn.ev)
		if err != nil {
			c.r.abort(runError(KindOutput, "output", dsl.At(o.Fold.Init.ErrorPos(err)), err))
			return
		}
		c.fold = fo
	}
}

// stream hands a delivered result to the rows output or the fold.
func (c *collector) stream(out *outcome) {
	var err error
	var prog *dsl.Program
	switch {
	case c.rows != nil:
		err, prog = c.rows.add(out.result, out.rec.Item, out.rec.Index), c.rows.o.Rows
	case c.fold != nil:
		err, prog = c.fold.add(out.result, out.rec.Item, out.rec.Index), c.fold.f.Step
	default:
		return
	}
	if err != nil {
		e := runError(KindOutput, "output", dsl.At(prog.ErrorPos(err)), err)
		e.Item, e.Index = out.rec.Item, out.rec.Index
		c.r.abort(e)
	}
}
