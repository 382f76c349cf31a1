package dsl_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/expr-lang/expr/vm"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// bigPipeline is a realistic pipeline of about 200 lines: an initializer,
// a map stage of many named steps of every kind, policies and callbacks.
func bigPipeline() string {
	var b strings.Builder
	b.WriteString(`version: 1
name: big
params:
  pattern: "data/*.csv"
  limit: 100
  tag: nightly
workers: 4
items: glob(params.pattern)
initializer:
  steps:
    - name: columns
      expr: '["shipmentId", "processing_time_epoch"]'
    - name: started
      expr: now()
  on_error: {retry: {attempts: 3, delay: 50ms}, then: skip}
map:
  steps:
    - name: rows
      expr: read_csv(item)
`)
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, `    - name: s%d
      expr: 'len(rows) + %d > params.limit ? filter(rows, .shipmentId != "") : rows'
    - assert: 'len(s%d) >= 0 && all(worker.columns, # != "")'
      message: "step %d failed for ${item} at ${index}"
`, i, i, i, i)
	}
	b.WriteString(`    - name: out
      sh: 'wc -l < ${item}'
      timeout: 5s
  result: '{file: item, rows: len(s39), lines: out.stdout}'
  on_error:
    retry:
      attempts: 3
      delay: 100ms
      when: error.kind in ["exit", "timeout"]
    then: skip
    fallback: '{file: item, error: error.message}'
    max_failures: 5%
callbacks:
  result:
    steps: [{expr: 'log("read", result.rows, "rows from", item)'}]
  error:
    steps: [{expr: 'log("failed:", error.message)'}]
  done:
    steps: [{expr: 'log(stats.ok, "ok")'}]
output:
  value: results
  to: out.json
`)
	return b.String()
}

func BenchmarkParseCompile(b *testing.B) {
	src := []byte(bigPipeline())
	if n := strings.Count(string(src), "\n"); n < 190 {
		b.Fatalf("pipeline has %d lines, want about 200", n)
	}
	opts := dsl.Options{Functions: builtins.Options(), Workdir: b.TempDir()}
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := dsl.Load("big.yaml", src, opts); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkEvalRealistic evaluates a compiled step expression against an
// environment like the one a worker holds: params, item, index, worker and
// a step value of 100 rows.
func BenchmarkEvalRealistic(b *testing.B) {
	opts := dsl.Options{Functions: builtins.Options(), Workdir: b.TempDir()}
	plan, diags := dsl.Load("big.yaml", []byte(bigPipeline()), opts)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	prog := plan.Map.Steps[11].Expr // s5: len(rows) + 5 > params.limit, so filter(rows, ...)
	rows := make([]map[string]string, 100)
	for i := range rows {
		rows[i] = map[string]string{"shipmentId": fmt.Sprint("S", i), "processing_time_epoch": "1700000000"}
	}
	worker, err := plan.NewWorker(0, map[string]any{"columns": []any{"a", "b"}})
	if err != nil {
		b.Fatal(err)
	}
	env := map[string]any{"params": plan.Params, "item": "data/a.csv", "index": 3, "attempt": 1,
		"worker": worker, "rows": rows, "ctx": nil}
	var machine vm.VM
	b.ReportAllocs()
	for b.Loop() {
		if _, err := prog.Run(&machine, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad20000Steps loads a map stage of 20,000 one-line steps, each
// named and reading the one before: validation must stay linear in the
// steps (issue 9).
func BenchmarkLoad20000Steps(b *testing.B) {
	benchmarkLoad(b, manySteps(20_000))
}

// BenchmarkLoad200000UnknownKeys loads a file with 200,000 unknown keys,
// of which it reports the first 100.
func BenchmarkLoad200000UnknownKeys(b *testing.B) {
	benchmarkLoad(b, manyUnknownKeys(200_000))
}

func benchmarkLoad(b *testing.B, text []byte) {
	opts := dsl.Options{Functions: builtins.Options(), Workdir: b.TempDir()}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dsl.Load("pipeline.yaml", text, opts)
	}
}
