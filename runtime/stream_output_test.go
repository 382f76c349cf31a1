package runtime

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// writeCSVFiles writes files into dir for the tests below.
func writeCSVFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const shipmentSchema = `schemas:
  shipments:
    columns:
      id: string
      n: int
`

// Issue 12, point 3: rows appended per delivered result, in delivery
// order, a list adding each of its rows; unique by whole row or by key.
func TestOutputRows(t *testing.T) {
	files := map[string]string{
		"a.csv": "id,n\nx,1\ny,2\nx,1\n",
		"b.csv": "n,id\n2,y\n3,z\n1,x\n",
	}
	tests := []struct{ name, output, want string }{
		{"csv, every row", "rows: result\n  format: csv", "id,n\nx,1\ny,2\nx,1\ny,2\nz,3\nx,1\n"},
		{"csv, unique", "rows: result\n  unique: true\n  format: csv", "id,n\nx,1\ny,2\nz,3\n"},
		{"csv, unique by key", "rows: result\n  unique: row.n % 2\n  format: csv", "id,n\nx,1\ny,2\n"},
		{"csv, columns", "rows: result\n  unique: true\n  columns: [n]\n  format: csv", "n\n1\n2\n3\n"},
		{"one row per result", "rows: result[0]\n  format: csv", "id,n\nx,1\ny,2\n"},
		{"maps", "rows: 'map(result, ({id: .id, twice: .n * 2}))'\n  unique: true\n  format: csv", "id,twice\nx,2\ny,4\nz,6\n"},
		{"jsonl", "rows: result\n  unique: true\n  format: jsonl", "{\"id\":\"x\",\"n\":1}\n{\"id\":\"y\",\"n\":2}\n{\"id\":\"z\",\"n\":3}\n"},
		{"json", "rows: 'map(result, .n)'\n  unique: true\n  format: json", "[\n  1,\n  2,\n  3\n]\n"},
		{"json of nothing", "rows: '[]'\n  format: json", "[]\n"},
		{"text", "rows: 'map(result, .id + \"=\" + string(.n))'\n  format: text", "x=1\ny=2\nx=1\ny=2\nz=3\nx=1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCSVFiles(t, dir, files)
			plan := loadPlan(t, dir, `version: 1
name: t
`+shipmentSchema+`workers: 2
items: [a.csv, b.csv]
map:
  steps:
    - expr: read_csv(item, "shipments")
output:
  `+tt.output+`
`)
			if plan.KeepResults {
				t.Error("the plan keeps results for an output of rows")
			}
			o := testRun{t: t, plan: plan}.run()
			if o.err != nil {
				t.Fatalf("Run: %v", o.err)
			}
			if o.stdout != tt.want {
				t.Errorf("output =\n%q\nwant\n%q", o.stdout, tt.want)
			}
		})
	}
}

// A row whose columns are not the header's fails the output, naming both,
// instead of writing empty cells.
func TestOutputRowsOfAnotherHeader(t *testing.T) {
	dir := t.TempDir()
	writeCSVFiles(t, dir, map[string]string{"a.csv": "id,n\nx,1\n", "b.csv": "id,count\ny,2\n"})
	plan := loadPlan(t, dir, `version: 1
name: t
workers: 1
items: [a.csv, b.csv]
map:
  steps:
    - expr: read_csv(item)
output:
  rows: result
  to: out.csv
`)
	o := testRun{t: t, plan: plan}.run()
	e := abortError(t, o.err)
	want := "item 1: csv output: a row has no column n: its columns are id,count, the output's header is id,n"
	if e.Kind != KindOutput || e.Message() != want {
		t.Errorf("error = %s: %s\nwant output: %s", e.Kind, e.Message(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); !os.IsNotExist(err) {
		t.Errorf("out.csv exists after a failed run: %v", err)
	}
}

// The rows file is written as the run goes but stays atomic: a run that
// aborts leaves the old file as it was and no temporary file beside it;
// one that succeeds replaces it.
func TestOutputRowsAtomic(t *testing.T) {
	for _, tc := range []struct {
		name, items, want string
	}{
		{"aborted", "[a.csv, missing.csv]", "old\n"},
		{"succeeded", "[a.csv]", "id,n\nx,1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCSVFiles(t, dir, map[string]string{"a.csv": "id,n\nx,1\n", "out.csv": "old\n"})
			plan := loadPlan(t, dir, `version: 1
name: t
`+shipmentSchema+`workers: 1
items: `+tc.items+`
map:
  steps:
    - expr: read_csv(item, "shipments")
output:
  rows: result
  to: out.csv
`)
			testRun{t: t, plan: plan}.run()
			if got, _ := os.ReadFile(filepath.Join(dir, "out.csv")); string(got) != tc.want {
				t.Errorf("out.csv = %q, want %q", got, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 2 {
				t.Errorf("the folder holds %d files, want a.csv and out.csv", len(entries))
			}
		})
	}
}

// Issue 12, point 3: a fold keeps a running aggregate, evaluated by the
// collector in delivery order; value writes it.
func TestOutputFold(t *testing.T) {
	tests := []struct{ name, output, want string }{
		{"count and sum", "fold:\n    init: '{n: 0, sum: 0}'\n    step: '{n: acc.n + 1, sum: acc.sum + result}'\n  format: jsonl",
			"{\"n\":5,\"sum\":20}\n"},
		{"min and max", "fold:\n    init: '{lo: nil, hi: nil}'\n    step: '{lo: acc.lo == nil || result < acc.lo ? result : acc.lo, hi: acc.hi == nil || result > acc.hi ? result : acc.hi}'\n  format: jsonl",
			"{\"hi\":8,\"lo\":0}\n"},
		{"in delivery order", "fold:\n    init: '\"\"'\n    step: acc + string(index)\n  format: text", "01234\n"},
		{"counts per group", "fold:\n    init: '{}'\n    step: 'put(acc, result % 3 == 0 ? \"three\" : \"other\", (acc[result % 3 == 0 ? \"three\" : \"other\"] ?? 0) + 1)'\n  format: jsonl",
			"{\"other\":3,\"three\":2}\n"},
		{"value over acc", "fold:\n    init: '0'\n    step: acc + result\n  value: '{total: acc, items: stats.ok}'\n  format: jsonl",
			"{\"items\":5,\"total\":20}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, _ := runYAML(t, `version: 1
name: t
workers: 2
items: {range: [0, 5]}
map:
  steps:
    - expr: item * 2
output:
  `+tt.output+`
`)
			if o.err != nil {
				t.Fatalf("Run: %v", o.err)
			}
			if o.stdout != tt.want {
				t.Errorf("output = %q, want %q", o.stdout, tt.want)
			}
		})
	}
}

// Items that finish in reverse order still have their rows written in item
// order with order: input, and in the order they were delivered with
// completion (item i goes on once item i+1 was delivered: 4, 3, 2, 1, 0);
// a fold sees them in the same order. The rows of an item are written
// before its result callback runs.
func TestOutputRowsInDeliveryOrder(t *testing.T) {
	for _, tc := range []struct{ order, goOn, callback, rows, fold string }{
		{"input", "\n    - expr: go_on(index)", "", "0\n1\n2\n3\n4\n", "01234\n"},
		{"completion", "", "callbacks:\n  result:\n    steps: [{expr: go_on(index)}]\n", "4\n3\n2\n1\n0\n", "43210\n"},
	} {
		for _, form := range []string{"rows", "fold"} {
			t.Run(tc.order+" "+form, func(t *testing.T) {
				c := newChain()
				output := "rows: result\n  format: text"
				want := tc.rows
				if form == "fold" {
					output = "fold: {init: '\"\"', step: acc + string(result)}\n  format: text"
					want = tc.fold
				}
				o, _ := runYAML(t, `version: 1
name: t
workers: 5
order: `+tc.order+`
items: {range: [0, 5]}
map:
  steps:
    - expr: wait(index)`+tc.goOn+`
  result: index
`+tc.callback+`output:
  `+output+`
`, hookInt("wait", c.wait(4)), hookInt("go_on", c.goOn))
				if o.err != nil {
					t.Fatalf("Run: %v", o.err)
				}
				if o.stdout != want {
					t.Errorf("output = %q, want %q", o.stdout, want)
				}
			})
		}
	}
}

// An interrupt while rows are being written (item 0's are in the
// temporary file) leaves the old file as it was and no temporary file.
func TestOutputRowsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	dir := t.TempDir()
	writeCSVFiles(t, dir, map[string]string{"out.txt": "old\n"})
	interrupt := hookInt("interrupt", func(i int) int {
		if i == 1 {
			cancel(ErrInterrupted)
		}
		return i
	})
	plan := loadPlan(t, dir, `version: 1
name: t
workers: 1
items: {range: [0, 3]}
map:
  steps:
    - expr: interrupt(index)
output:
  rows: result
  to: out.txt
`, interrupt)
	o := testRun{t: t, plan: plan, ctx: ctx}.run()
	if e := abortError(t, o.err); e.Kind != KindInterrupted {
		t.Errorf("the run ended with %v, want the interrupt", o.err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "out.txt")); string(got) != "old\n" {
		t.Errorf("out.txt = %q, want the old text", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want out.txt alone", len(entries))
	}
}

// A column a row does not have is an error that names the row's columns,
// not its Go type.
func TestRowHasNoSuchColumn(t *testing.T) {
	dir := t.TempDir()
	writeCSVFiles(t, dir, map[string]string{"a.csv": "id,n\nx,1\n"})
	plan := loadPlan(t, dir, "version: 1\nname: t\nitems: [a.csv]\nmap:\n  steps:\n    - expr: read_csv(item)[0].missing\n")
	e := abortError(t, testRun{t: t, plan: plan}.run().err)
	if want := "cannot fetch missing from a row with the columns id,n"; e.Kind != KindExpr || e.Message() != want {
		t.Errorf("error = %s: %s\nwant expr: %s", e.Kind, e.Message(), want)
	}
}
