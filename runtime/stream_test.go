package runtime

import (
	"context"
	"github.com/poolflow/poolflow/files"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStreamLines(t *testing.T) {
	const n = 200_000
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("line ")
		b.WriteString(itoa(i))
		b.WriteByte('\n')
	}
	writeTestFile(t, filepath.Join(dir, "items.txt"), b.String())
	plan := loadPlan(t, dir, `version: 1
name: t
workers: 4
order: completion
items: {lines: items.txt}
map:
  steps:
    - expr: 'item == "line " + string(index) ? len(item) : fail("line " + string(index) + " is " + item)'
output:
  value: '{"ok": stats.ok, "total": stats.total}'
  format: jsonl
`)
	o := testRun{t: t, plan: plan}.run()
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, `{"ok":200000,"total":200000}`+"\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if plan.KeepResults {
		t.Errorf("the run keeps results although nothing reads them")
	}
}

func TestSources(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "rows.csv"), "\ufeffid,name\n1,ann\n2,\"bo, b\"\n")
	writeTestFile(t, filepath.Join(dir, "rows.jsonl"), "{\"id\": 1}\n\n[2]\n\"three\"\n")
	writeTestFile(t, filepath.Join(dir, "crlf.txt"), "a\r\nb\r\n")
	for _, name := range []string{"b.dat", "a.dat", "c.txt"} {
		writeTestFile(t, filepath.Join(dir, name), "")
	}
	tests := []struct{ items, want string }{
		{"{csv: rows.csv}", `{"id":"1","name":"ann"}` + "\n" + `{"id":"2","name":"bo, b"}` + "\n"},
		{"{jsonl: rows.jsonl}", "{\"id\":1}\n[2]\n\"three\"\n"},
		{"{lines: crlf.txt}", "\"a\"\n\"b\"\n"},
		{`{glob: "*.dat"}`, "\"a.dat\"\n\"b.dat\"\n"},
		{"{range: [5, 0, -2]}", "5\n3\n1\n"},
		{"{range: [0, 0]}", ""},
		{"'map(1..3, # * 2)'", "2\n4\n6\n"},
		{"[x, 2, {k: v}]", "\"x\"\n2\n{\"k\":\"v\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.items, func(t *testing.T) {
			plan := loadPlan(t, dir, `version: 1
name: t
workers: 2
items: `+tt.items+`
map:
  steps:
    - expr: item
output:
  format: jsonl
`)
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

func TestSourceMissingFile(t *testing.T) {
	o, dir := runYAML(t, `version: 1
name: t
items: {lines: missing.txt}
map:
  steps:
    - expr: item
`)
	e := abortError(t, o.err)
	want := `lines "missing.txt": no such file or directory (looked for ` + files.Display(filepath.Join(dir, "missing.txt")) + ")"
	if e.Kind != KindSource || e.Stage != "items" || e.Message() != want {
		t.Errorf("error: kind %s, stage %s, message %q; want source, items, %q", e.Kind, e.Stage, e.Message(), want)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkTrivialItems(b *testing.B) {
	plan := loadPlan(b, b.TempDir(), `version: 1
name: bench
workers: 2
order: input
items: {range: [0, 100000]}
map:
  steps:
    - expr: item * item + 1
`)
	eng := &Engine{Stdout: discard{}, Log: func(string) {}}
	b.ReportAllocs()
	for b.Loop() {
		sum, err := eng.Run(context.Background(), plan)
		if err != nil || sum.Stats.OK != 100000 {
			b.Fatalf("Run: %v, %d ok", err, sum.Stats.OK)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100000, "ns/item")
}

func BenchmarkReorderWindow(b *testing.B) {
	// Every 50th item is slow, so with order input the items behind it
	// wait in the window to be delivered in order.
	plan := loadPlan(b, b.TempDir(), `version: 1
name: bench
workers: 8
window: 64
order: input
items: {range: [0, 20000]}
map:
  steps:
    - expr: 'index % 50 == 0 ? sleep("200us") : nil'
    - expr: index
output:
  value: len(results)
  format: json
`)
	eng := &Engine{Stdout: discard{}, Log: func(string) {}}
	b.ReportAllocs()
	for b.Loop() {
		sum, err := eng.Run(context.Background(), plan)
		if err != nil || sum.Stats.OK != 20000 {
			b.Fatalf("Run: %v, %d ok", err, sum.Stats.OK)
		}
	}
}

func TestSourceFailsMidway(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "rows.jsonl"), "1\n2\n{bad\n4\n")
	plan := loadPlan(t, dir, `version: 1
name: t
workers: 1
items: {jsonl: rows.jsonl}
map:
  steps:
    - expr: item
`)
	o := testRun{t: t, plan: plan}.run()
	e := abortError(t, o.err)
	if e.Kind != KindSource || e.Stage != "items" {
		t.Errorf("error: kind %s, stage %s; want source, items", e.Kind, e.Stage)
	}
	if got, want := e.Error(), "items: rows.jsonl:3: invalid character 'b' looking for beginning of object key string"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestItemsExpressionFails(t *testing.T) {
	o, _ := runYAML(t, `version: 1
name: t
items: 'fail("no items today")'
map:
  steps:
    - expr: item
`)
	e := abortError(t, o.err)
	if e.Kind != KindSource || e.Error() != "items: no items today" {
		t.Errorf("error: kind %s, %q; want source, %q", e.Kind, e.Error(), "items: no items today")
	}
}

func TestOutputOfNoResults(t *testing.T) {
	o, _ := runYAML(t, `version: 1
name: t
items: {range: [0, 0]}
map:
  steps:
    - expr: item
output:
  format: json
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

// BenchmarkRetryBookkeeping measures what a retry costs beside the work:
// every item fails its first attempt and succeeds on the second, with the
// wait faked away, so the time is the policy loop, the error value and
// retry.when.
func BenchmarkRetryBookkeeping(b *testing.B) {
	plan := loadPlan(b, b.TempDir(), `version: 1
name: bench
workers: 2
items: {range: [0, 20000]}
map:
  steps:
    - assert: attempt > 1
  on_error:
    retry: {attempts: 2, delay: 1ms, when: 'error.kind == "assert"'}
`)
	eng := &Engine{Stdout: discard{}, Log: func(string) {}, sleep: func(context.Context, time.Duration) error { return nil }}
	b.ReportAllocs()
	for b.Loop() {
		sum, err := eng.Run(context.Background(), plan)
		if err != nil || sum.Stats.Retried != 20000 {
			b.Fatalf("Run: %v, %d retried", err, sum.Stats.Retried)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20000, "ns/item")
}

// BenchmarkTrivialItemsObserved is BenchmarkTrivialItems with the Journal
// the CLI always attaches, to keep the observer's cost in view.
func BenchmarkTrivialItemsObserved(b *testing.B) {
	plan := loadPlan(b, b.TempDir(), `version: 1
name: bench
workers: 2
items: {range: [0, 100000]}
map:
  steps:
    - expr: item * item + 1
`)
	b.ReportAllocs()
	for b.Loop() {
		eng := &Engine{Stdout: discard{}, Log: func(string) {}, Observer: NewTally()}
		if _, err := eng.Run(context.Background(), plan); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100000, "ns/item")
}

// Issue 12: items: {csv} and read_csv share one codec, so a header that
// names a column twice is refused by both, with the same message (the
// source's failure is kind data, with the cell).
func TestCSVDuplicateHeaderEverywhere(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "dup.csv"), "id,name,id\n1,a,2\n")
	want := "dup.csv:1:3: column id: the header names this column twice (columns 1 and 3)"
	for _, tc := range []struct{ name, items, step string }{
		{"items", "{csv: dup.csv}", "item"},
		{"read_csv", "[dup.csv]", "read_csv(item)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := loadPlan(t, dir, "version: 1\nname: t\nitems: "+tc.items+"\nmap:\n  steps:\n    - expr: "+tc.step+"\n")
			e := abortError(t, testRun{t: t, plan: plan}.run().err)
			if e.Kind != KindData || e.Message() != want {
				t.Errorf("error = %s: %s\nwant data: %s", e.Kind, e.Message(), want)
			}
			if e.Evidence.Cell == nil || e.Evidence.Cell.Line != 1 || e.Evidence.Cell.Column != 3 {
				t.Errorf("cell = %+v, want line 1, column 3", e.Evidence.Cell)
			}
		})
	}
}
