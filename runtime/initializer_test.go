package runtime

import (
	"slices"
	"testing"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

func TestInitializerAbortAll(t *testing.T) {
	// Worker 0's initializer fails at once; the others block until the run
	// is cancelled. The run ends quickly, no item starts and no
	// initializer runs twice.
	o, rec, dir := observe(t, `version: 1
name: t
workers: 4
items: {range: [0, 100]}
initializer:
  steps:
    - expr: append_file("init.txt", string(worker.id))
    - name: license
      expr: 'worker.id == 0 ? fail("no license") : sleep("10s")'
  on_error: abort-all
map:
  steps:
    - expr: append_file("started.txt", string(index))
`)
	e := abortError(t, o.err)
	if o.elapsed > 5*time.Second {
		t.Errorf("the run took %s, want it to end at once", o.elapsed)
	}
	want := errView{Kind: KindInit, Message: "no license", Subject: Subject{Stage: "initializer", Step: "license", Index: -1, Worker: 0, Attempt: 1, Attempts: 1}, Pos: dsl.Pos{File: "pipeline.yaml", Line: 9, Col: 31}, Policy: "abort-all"}
	checkError(t, e, want)
	if got, want := e.Error(), "initializer/license: worker 0: no license"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if c, ok := e.Cause.(*Error); !ok || c.Kind != KindFail || c.Message() != "no license" {
		t.Errorf("cause = %#v, want the initializer's own error, kind fail", e.Cause)
	}
	// Workers that had not started their initializer when worker 0 failed
	// never start it; none runs it twice.
	init := fileLines(t, dir, "init.txt")
	slices.Sort(init)
	if !slices.Contains(init, "0") || len(slices.Compact(slices.Clone(init))) != len(init) {
		t.Errorf("initializer ran for workers %q, want worker 0 and each at most once", init)
	}
	if got := fileLines(t, dir, "started.txt"); got != nil {
		t.Errorf("items started: %q, want none", got)
	}
	if len(rec.started) != 0 {
		t.Errorf("Observer heard items start: %v", rec.started)
	}
}

func TestInitializerRetry(t *testing.T) {
	o, _, dir := observe(t, `version: 1
name: t
workers: 2
items: {range: [0, 4]}
initializer:
  steps:
    - expr: append_file("init.txt", string(worker.id) + "/" + string(attempt))
    - expr: 'attempt < 3 ? fail("not yet") : true'
  on_error:
    retry: {attempts: 3, delay: 50ms}
map:
  steps:
    - expr: item
output:
  format: json
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	init := fileLines(t, dir, "init.txt")
	slices.Sort(init)
	if want := []string{"0/1", "0/2", "0/3", "1/1", "1/2", "1/3"}; !slices.Equal(init, want) {
		t.Errorf("initializer attempts = %q, want %q", init, want)
	}
	slices.Sort(o.waits)
	want := []time.Duration{50 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	if !slices.Equal(o.waits, want) {
		t.Errorf("waits = %v, want %v", o.waits, want)
	}
	if got, want := o.stdout, "[\n  0,\n  1,\n  2,\n  3\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestInitializerRetrySpent(t *testing.T) {
	o, _, dir := observe(t, `version: 1
name: t
workers: 1
items: [1]
initializer:
  steps:
    - expr: append_file("init.txt", string(attempt))
    - expr: fail("never")
  on_error: retry
map:
  steps:
    - expr: append_file("started.txt", string(item))
`)
	e := abortError(t, o.err)
	if got, want := fileLines(t, dir, "init.txt"), []string{"1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("initializer attempts = %q, want %q", got, want)
	}
	if got := fileLines(t, dir, "started.txt"); got != nil {
		t.Errorf("items started: %q, want none", got)
	}
	if e.Kind != KindInit || e.Attempt != 3 || e.Attempts != 3 || e.Outcome.String() != "retry, then abort-all" {
		t.Errorf("error: kind %s, attempt %d of %d, policy %q; want init, 3 of 3, retry, then abort-all", e.Kind, e.Attempt, e.Attempts, e.Outcome.String())
	}
	if got, want := e.Error(), "initializer/step 2: worker 0 (attempt 3 of 3): never"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestInitializerSkipSomeWorkers(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 4
items: {range: [0, 20]}
initializer:
  steps:
    - expr: append_file("init.txt", string(worker.id))
    - name: tag
      expr: 'worker.id != 3 ? fail("no license on worker " + string(worker.id)) : "w" + string(worker.id)'
  on_error: skip
map:
  steps:
    - expr: worker.tag + ":" + string(item)
output:
  format: jsonl
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	var want string
	for i := 0; i < 20; i++ {
		want += `"w3:` + itoa(i) + `"` + "\n"
	}
	if o.stdout != want {
		t.Errorf("output =\n%s\nwant every item done by worker 3:\n%s", o.stdout, want)
	}
	// Workers that had not started their initializer when worker 0 failed
	// never start it; none runs it twice.
	init := fileLines(t, dir, "init.txt")
	slices.Sort(init)
	if !slices.Contains(init, "0") || len(slices.Compact(slices.Clone(init))) != len(init) {
		t.Errorf("initializer ran for workers %q, want worker 0 and each at most once", init)
	}
	var retired []int
	for _, e := range o.sum.RetiredWorkers {
		retired = append(retired, e.Worker)
		if e.Kind != KindFail || e.Stage != "initializer" || e.Step != "tag" || e.Message() != "no license on worker "+itoa(e.Worker) {
			t.Errorf("retired worker %d: kind %s, where %s, message %q", e.Worker, e.Kind, e.Where(), e.Message())
		}
	}
	slices.Sort(retired)
	if want := []int{0, 1, 2}; !slices.Equal(retired, want) {
		t.Errorf("retired workers = %v, want %v", retired, want)
	}
	if got := len(rec.retired); got != 3 {
		t.Errorf("Observer heard %d workers retire, want 3", got)
	}
	for i := 0; i < 20; i++ {
		if w := rec.record(t, i).Worker; w != 3 {
			t.Errorf("item %d done by worker %d, want 3", i, w)
		}
	}
	if got := o.sum.Stats; got.OK != 20 || got.Total != 20 {
		t.Errorf("stats = %+v, want ok 20", got)
	}
}

func TestInitializerSkipAllWorkers(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 3
items: {range: [0, 20]}
initializer:
  steps:
    - expr: append_file("init.txt", string(worker.id))
    - expr: fail("no license")
  on_error: skip
map:
  steps:
    - expr: append_file("started.txt", string(index))
`)
	e := abortError(t, o.err)
	if e.Kind != KindInit || e.Message() != "no worker could start; the last one: no license" {
		t.Errorf("error: kind %s, message %q; want init, %q", e.Kind, e.Message(), "no worker could start; the last one: no license")
	}
	if got := fileLines(t, dir, "started.txt"); got != nil {
		t.Errorf("items started: %q, want none", got)
	}
	init := fileLines(t, dir, "init.txt")
	slices.Sort(init)
	if want := []string{"0", "1", "2"}; !slices.Equal(init, want) {
		t.Errorf("initializer ran for workers %q, want once each %q", init, want)
	}
	if got := len(o.sum.RetiredWorkers); got != 3 {
		t.Errorf("%d retired workers in the summary, want 3", got)
	}
	if got := len(rec.retired); got != 2 {
		t.Errorf("Observer heard %d workers retire, want 2 (the last one ends the run)", got)
	}
}

func TestInitializerWorkerValues(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
workers: 2
items: {range: [0, 6]}
initializer:
  steps:
    - name: prefix
      expr: '"w" + string(worker.id)'
    - name: table
      expr: '{"size": worker.id * 10}'
map:
  steps:
    - expr: 'worker.prefix == "w" + string(worker.id) && worker.table.size == worker.id * 10'
output:
  format: json
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[\n  true,\n  true,\n  true,\n  true,\n  true,\n  true\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestInitializerTimeout(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
workers: 2
items: [1]
initializer:
  steps:
    - expr: sleep("10s")
  timeout: 50ms
map:
  steps:
    - expr: item
`)
	e := abortError(t, o.err)
	if e.Kind != KindInit || e.Message() != "timed out after 50ms (initializer.timeout, per attempt)" {
		t.Errorf("error: kind %s, message %q; want init, timed out", e.Kind, e.Message())
	}
	if c, ok := e.Cause.(*Error); !ok || c.Kind != KindTimeout {
		t.Errorf("cause = %#v, want kind timeout", e.Cause)
	}
	if o.elapsed > 5*time.Second {
		t.Errorf("the run took %s", o.elapsed)
	}
}
