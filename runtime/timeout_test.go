package runtime

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

func TestStepTimeout(t *testing.T) {
	tests := []struct {
		name string
		step func(m string) string
	}{
		{"sleep", func(string) string { return `expr: sleep("10s")` }},
		{"sh", func(m string) string { return `sh: 'sleep ` + m + `; true'` }},
		{"exec", func(m string) string { return `exec: [sleep, '` + m + `']` }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := marker()
			o, _, _ := observe(t, `version: 1
name: t
workers: 1
items: [x]
map:
  steps:
    - name: slow
      `+tt.step(m)+`
      timeout: 50ms
`)
			e := abortError(t, o.err)
			if got, want := e.Error(), `map/slow: item 0 "x": timed out after 50ms (the step's timeout)`; got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			if e.Kind != KindTimeout {
				t.Errorf("kind = %s, want timeout", e.Kind)
			}
			if o.elapsed > 5*time.Second {
				t.Errorf("the run took %s, want it to end soon after the 50ms timeout", o.elapsed)
			}
			if pids := processesWith(m); len(pids) > 0 {
				t.Errorf("processes still running after Run returned: %v", pids)
			}
		})
	}
}

func TestMapTimeoutPerAttempt(t *testing.T) {
	// Attempt 1 sleeps past map.timeout; attempt 2 is quick. Were the limit
	// for all attempts together, attempt 2 would start with it spent and
	// time out too: no margin to miss.
	o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: [x]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
    - expr: 'sleep(attempt == 1 ? "10s" : "0s")'
    - expr: attempt
  timeout: 300ms
  on_error:
    retry: {attempts: 3}
output:
  format: json
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"1", "2"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
	if got, want := o.stdout, "[\n  2\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if len(rec.retries) != 1 {
		t.Fatalf("retries = %v, want 1", rec.retries)
	}
	e := rec.retries[0]
	if e.Kind != KindTimeout || e.Message() != "timed out after 300ms (map.timeout, per attempt)" || e.Step != "step 2" {
		t.Errorf("first attempt: kind %s, step %q, message %q; want timeout, step 2, %q", e.Kind, e.Step, e.Message(), "timed out after 300ms (map.timeout, per attempt)")
	}
}

func TestMapTimeoutFinal(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
workers: 2
items: [a, b]
map:
  steps:
    - sh: 'sleep 10'
  timeout: 50ms
  on_error:
    retry: {attempts: 2, when: 'error.kind == "timeout"'}
    then: skip
callbacks:
  error:
    steps:
      - expr: capture("error", error)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got := o.sum.Stats; got.Skipped != 2 || got.Retried != 2 {
		t.Errorf("stats = %+v, want skipped 2, retried 2", got)
	}
	if o.elapsed > 5*time.Second {
		t.Errorf("the run took %s", o.elapsed)
	}
	var want []any
	for i, item := range []string{"a", "b"} {
		want = append(want, dsl.ErrorValue{Kind: "timeout", Message: "timed out after 50ms (map.timeout, per attempt)",
			Stage: "map", Step: "step 1", Item: item, Index: i, Attempt: 2, Position: "pipeline.yaml:7:7"})
	}
	if got := coreErrors(rec.values("error")); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw\n\t%+v\nwant\n\t%+v", got, want)
	}
}

func TestRunTimeout(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
workers: 2
timeout: 100ms
items: {range: [0, 10]}
map:
  steps:
    - expr: sleep("10s")
  on_error: retry
`)
	e := abortError(t, o.err)
	want := errView{Kind: KindTimeout, Message: "the run's timeout of 100ms passed", Subject: Subject{Stage: "run", Index: -1, Worker: -1}}
	checkError(t, e, want)
	if got, want := o.err.Error(), "run aborted: run: the run's timeout of 100ms passed"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
	if o.elapsed > 5*time.Second {
		t.Errorf("the run took %s, want it to end soon after 100ms", o.elapsed)
	}
	if o.sum.Cancelled != 2 || len(rec.retries) != 0 {
		t.Errorf("cancelled %d, retries %d; want the 2 running items cancelled and none retried", o.sum.Cancelled, len(rec.retries))
	}
	for i, r := range rec.records {
		if r.Status != StatusCancelled || r.Err.Kind != KindCancelled {
			t.Errorf("item %d: status %s, kind %s; want cancelled", i, r.Status, r.Err.Kind)
		}
	}
}
