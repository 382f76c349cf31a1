package runtime

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/table"
)

// finish runs callbacks.done and writes the output, once every item was
// delivered and the run was not aborted. It returns where the output went.
func (r *run) finish(c *collector) string {
	env := c.rn.ev.env
	c.rn.setItem(nil, -1)
	c.sum.Stats.Elapsed = time.Since(r.started)
	env["results"], env["errors"], env["stats"] = c.results, c.errors, c.sum.Stats
	if c.results == nil {
		env["results"] = []any{}
	}
	if c.errors == nil {
		env["errors"] = []dsl.ErrorValue{}
	}
	if r.plan.OnDone != nil && !r.draining() { // a drained run did not get to its end
		c.runCallback(r.plan.OnDone)
	}
	if r.ctx.Err() != nil || r.plan.Output == nil {
		return ""
	}
	if c.rows != nil {
		if err := c.rows.finish(); err != nil {
			r.abort(runError(KindOutput, "output", dsl.At(r.plan.Output.Pos), err))
			return ""
		}
		return c.rows.to
	}
	if c.fold != nil {
		env["acc"] = c.fold.acc
	}
	to, err := r.writeOutput(c.rn)
	if err != nil {
		r.abort(err)
		return ""
	}
	return to
}

// writeOutput evaluates output.value and writes it where output.to says.
func (r *run) writeOutput(rn *runner) (string, *Error) {
	o := r.plan.Output
	fail := func(err error, pos dsl.Pos) *Error {
		return runError(KindOutput, "output", dsl.At(pos), err)
	}
	value := rn.ev.env["results"]
	if o.Fold != nil {
		value = rn.ev.env["acc"]
	}
	if o.Value != nil {
		v, err := rn.ev.run(o.Value)
		if err != nil {
			return "", fail(err, o.Value.ErrorPos(err))
		}
		value = v
	}
	to, err := rn.ev.render(o.To, false)
	if err != nil {
		return "", fail(err, o.To.Pos)
	}
	write := func(w io.Writer) error { return encode(w, o.Format, o.Columns, value) }
	if to == "-" {
		err = r.toStdout(write)
	} else {
		to = rn.scope.Path(to)
		err = files.WriteAtomic(r.ctx, to, write) // an interrupt leaves the old file as it was
	}
	if err != nil {
		return "", fail(err, o.Pos)
	}
	return to, nil
}

func (r *run) toStdout(write func(io.Writer) error) error {
	w := r.eng.Stdout
	if w == nil {
		w = os.Stdout
	}
	bw := bufio.NewWriterSize(files.ContextWriter(r.ctx, w), 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// encode writes value in format.
func encode(w io.Writer, format string, columns []string, value any) error {
	switch format {
	case "jsonl":
		lw := &jsonLines{w: w, enc: newJSONEncoder(w)}
		return eachElement(value, lw.write)
	case "csv":
		return writeCSV(w, columns, value)
	case "text":
		return eachElement(value, func(el any) error { _, err := fmt.Fprintln(w, text(el)); return err })
	}
	enc := newJSONEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(value)
}

// newJSONEncoder writes JSON as people and other tools expect it: <, >
// and & as they are, not escaped for HTML.
func newJSONEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// jsonLines writes one JSON value per line; integers, the common result,
// skip encoding/json's reflection.
type jsonLines struct {
	w   io.Writer
	enc *json.Encoder
	buf []byte
}

func (l *jsonLines) write(v any) error {
	if i, ok := v.(int); ok {
		l.buf = append(strconv.AppendInt(l.buf[:0], int64(i), 10), '\n')
		_, err := l.w.Write(l.buf)
		return err
	}
	return l.enc.Encode(v)
}

// eachElement calls f on each element of a list, or once on a non-list.
func eachElement(v any, f func(any) error) error {
	list, ok := asList(v)
	if !ok {
		return f(v)
	}
	for _, el := range list {
		if err := f(el); err != nil {
			return err
		}
	}
	return nil
}

// writeCSV writes a list of rows, table rows or maps; the header is
// columns, or the columns of table rows all of one type, or the sorted
// union of the rows' keys. A missing key is an empty cell. Table rows are
// written from their cells, without a map.
func writeCSV(w io.Writer, columns []string, value any) error {
	tw := table.NewWriter(w)
	if l, n, at, ok := table.Rows(value); ok {
		if len(columns) == 0 {
			columns = l.Names()
		}
		tw.Record(columns)
		cols := columnsOf(l, columns)
		for i := range n {
			tw.Row(l, at(i), cols)
			if err := tw.MaybeFlush(); err != nil {
				return err
			}
		}
		return tw.Flush()
	}
	list, ok := asList(value)
	if !ok {
		return fmt.Errorf("csv output needs a list of rows, got %s", describeType(value))
	}
	rows, err := csvRows(list)
	if err != nil {
		return err
	}
	if len(columns) == 0 {
		columns = rows.header()
	}
	tw.Record(columns)
	record := make([]string, len(columns))
	cols := map[*table.Layout][]int{}
	for i, el := range list {
		if l, p, ok := table.LayoutOfValue(el); ok {
			if cols[l] == nil {
				cols[l] = columnsOf(l, columns)
			}
			tw.Row(l, p, cols[l])
		} else {
			for j, col := range columns {
				record[j] = rows.maps[i][col]
			}
			tw.Record(record)
		}
		if err := tw.MaybeFlush(); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// columnsOf maps columns to a row type's cells; -1 for one it lacks.
func columnsOf(l *table.Layout, columns []string) []int {
	cols := make([]int, len(columns))
	for i, c := range columns {
		cols[i] = l.Index(c)
	}
	return cols
}

// csvList is a list of rows as CSV output sees them: the maps' cells (nil
// for a table row) and the row types met.
type csvList struct {
	maps    []map[string]string
	layouts []*table.Layout
}

func csvRows(list []any) (*csvList, error) {
	out := &csvList{maps: make([]map[string]string, len(list))}
	seen := map[*table.Layout]bool{}
	for i, el := range list {
		if l, _, ok := table.LayoutOfValue(el); ok {
			if !seen[l] {
				seen[l] = true
				out.layouts = append(out.layouts, l)
			}
			continue
		}
		row, err := csvRow(el)
		if err != nil {
			return nil, fmt.Errorf("csv output: element %d: %w", i, err)
		}
		out.maps[i] = row
	}
	return out, nil
}

// header is the columns of table rows all of one type, else the sorted
// union of every row's keys.
func (c *csvList) header() []string {
	hasMaps := false
	for _, m := range c.maps {
		hasMaps = hasMaps || m != nil
	}
	if len(c.layouts) == 1 && !hasMaps {
		return c.layouts[0].Names()
	}
	var rows []map[string]string
	for _, m := range c.maps {
		if m != nil {
			rows = append(rows, m)
		}
	}
	for _, l := range c.layouts {
		row := map[string]string{}
		for _, n := range l.Names() {
			row[n] = ""
		}
		rows = append(rows, row)
	}
	return unionKeys(rows)
}

// csvRow turns a map into cells.
func csvRow(el any) (map[string]string, error) {
	switch m := el.(type) {
	case map[string]string:
		return m, nil
	case map[string]any:
		row := make(map[string]string, len(m))
		for k, v := range m {
			row[k] = text(v)
		}
		return row, nil
	}
	return nil, fmt.Errorf("want a row or a map, got %s", describeType(el))
}

func unionKeys(rows []map[string]string) []string {
	seen := map[string]bool{}
	var keys []string
	for _, row := range rows {
		for k := range row {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}
