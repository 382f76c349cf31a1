package runtime

import (
	"reflect"
	"slices"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

func TestStepIf(t *testing.T) {
	// One worker runs every item, so item 2 would see item 1's odd if
	// step values leaked from one item to the next.
	o, _, _ := observe(t, `version: 1
name: t
workers: 1
items: [1, 2, 3]
map:
  steps:
    - name: odd
      expr: item * 100
      if: item % 2 == 1
    - expr: 'odd == nil ? "skipped " + string(item) : odd'
output:
  format: jsonl
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "100\n\"skipped 2\"\n300\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestStepIfFails(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
items: [1]
map:
  steps:
    - expr: item
      if: item.missing
`)
	e := abortError(t, o.err)
	if e.Kind != KindExpr || e.Message() != "cannot fetch missing from int" || e.At.From != (dsl.Pos{File: "pipeline.yaml", Line: 7, Col: 16}) {
		t.Errorf("error: kind %s, message %q, pos %s; want expr, %q, pipeline.yaml:7:16", e.Kind, e.Message(), e.At.From, "cannot fetch missing from int")
	}
}

func TestAssertMessage(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
items: [a.csv, b.csv]
map:
  steps:
    - name: rows
      expr: 'item == "b.csv" ? 0 : 3'
    - assert: rows > 0
      message: "no rows in ${item} (${rows})"
    - assert: rows > 1
  on_error: skip
callbacks:
  error:
    steps:
      - expr: capture("error", error)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	want := []any{dsl.ErrorValue{Kind: "assert", Message: "no rows in b.csv (0)", Stage: "map", Step: "step 2",
		Item: "b.csv", Index: 1, Attempt: 1, Position: "pipeline.yaml:8:15"}}
	if got := coreErrors(rec.values("error")); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw\n\t%+v\nwant\n\t%+v", got, want)
	}
}

func TestShAndExecValues(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
params:
  words: [one, "two words", "it's"]
items: ["a b.txt"]
map:
  steps:
    - name: shell
      sh: 'printf "<%s>" ${item} ${params.words}; echo oops >&2'
    - name: direct
      exec: [printf, "<%s>", "${params.words}", "x${item}"]
    - expr: '[shell.stdout, shell.stderr, shell.code, direct.stdout]'
output:
  format: jsonl
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	want := `["<a b.txt><one><two words><it's>","oops\n",0,"<one><two words><it's><xa b.txt>"]` + "\n"
	if o.stdout != want {
		t.Errorf("output =\n%s\nwant\n%s", o.stdout, want)
	}
}

func TestShFailureInErrorValue(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
items: [1]
map:
  steps:
    - name: run
      sh: 'echo first >&2; echo second >&2; exit 4'
  on_error: skip
callbacks:
  error:
    steps:
      - expr: capture("error", error)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	want := []any{dsl.ErrorValue{Kind: "exit", Message: "exit status 4", Stage: "map", Step: "run",
		Item: 1, Index: 0, Attempt: 1, Code: 4, Stderr: "first\nsecond", Position: "pipeline.yaml:7:7"}}
	if got := coreErrors(rec.values("error")); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw\n\t%+v\nwant\n\t%+v", got, want)
	}
}

func TestExecCannotStart(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
items: [1]
map:
  steps:
    - exec: [./no-such-program]
`)
	e := abortError(t, o.err)
	if e.Kind != KindExit || e.Message() != "could not start: fork/exec ./no-such-program: no such file or directory" {
		t.Errorf("error: kind %s, message %q; want exit, could not start", e.Kind, e.Message())
	}
}

func TestMapResult(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
items: [1, 2]
map:
  steps:
    - name: a
      expr: item * 10
    - name: b
      expr: item + 1
  result: '{"sum": a + b, "item": item}'
output:
  format: jsonl
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "{\"item\":1,\"sum\":12}\n{\"item\":2,\"sum\":23}\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestMapResultFails(t *testing.T) {
	o, _, dir := observe(t, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
  result: 'attempt < 2 ? fail("result not ready") : "ready"'
  on_error:
    retry: {attempts: 3}
output:
  format: jsonl
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"1", "2"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q: a failing result is retried like a step", got, want)
	}
	if got, want := o.stdout, "\"ready\"\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestLog(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
workers: 1
items: [a, b]
initializer:
  steps:
    - expr: log("worker", worker.id, "ready")
map:
  steps:
    - expr: log("got", item, 1.5, [1])
callbacks:
  done:
    steps:
      - expr: log("done with", stats.ok)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	want := []string{"worker 0 ready", "[0] got a 1.5 [1]", "[1] got b 1.5 [1]", "done with 2"}
	if !slices.Equal(o.logs, want) {
		t.Errorf("log lines = %q, want %q", o.logs, want)
	}
}

// Issue 10, point 3: findIndex and findLastIndex give -1 when nothing
// matches, as their type (int) says, instead of nil.
func TestFindIndexNotFound(t *testing.T) {
	o, _ := runYAML(t, `version: 1
name: t
items: [1]
map:
  steps:
    - name: forward
      expr: '[findIndex([1, 2], # > 5), findIndex([1, 7], # > 5), findIndex([1, 2], # > 5) == -1]'
    - name: backward
      expr: 'findLastIndex([1, 2], # > 5)'
  result: concat(forward, [backward])
output:
  format: jsonl
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[-1,1,true,-1]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}
