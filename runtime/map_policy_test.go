package runtime

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

func TestMapAbortAll(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: {range: [0, 10]}
map:
  steps:
    - expr: append_file("started.txt", string(index))
    - name: check
      expr: 'index == 3 ? fail("bad item " + string(item)) : index'
  on_error: abort-all
`)
	e := abortError(t, o.err)
	want := errView{Kind: KindFail, Message: "bad item 3", Subject: Subject{Stage: "map", Step: "check", Item: 3, Index: 3, Worker: 0, Attempt: 1, Attempts: 1}, Pos: dsl.Pos{File: "pipeline.yaml", Line: 9, Col: 27}, Policy: "abort-all"}
	checkError(t, e, want)
	if got, want := o.err.Error(), "run aborted: map/check: item 3 (3): bad item 3"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
	if got, want := fileLines(t, dir, "started.txt"), []string{"0", "1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("items started = %q, want %q: no item starts after the failure", got, want)
	}
	wantStatus := map[int]Status{0: StatusOK, 1: StatusOK, 2: StatusOK, 3: StatusFailed}
	if got := rec.statuses(); !reflect.DeepEqual(got, wantStatus) {
		t.Errorf("statuses = %v, want %v", got, wantStatus)
	}
	if !o.sum.Aborted || o.sum.Failed != 1 || o.sum.Cancelled != 0 {
		t.Errorf("summary: aborted %t, failed %d, cancelled %d; want true, 1, 0", o.sum.Aborted, o.sum.Failed, o.sum.Cancelled)
	}
}

// errView is what a test can know of an *Error: its kind and message,
// its subject, where it starts in the file, what its policy did.
type errView struct {
	Kind    Kind
	Message string
	Subject Subject
	Pos     dsl.Pos
	Policy  string
}

func viewOf(e *Error) errView {
	return errView{Kind: e.Kind, Message: e.Message(), Subject: e.Subject, Pos: e.At.From, Policy: e.Outcome.String()}
}

// checkError compares the fields of e that a test can know with want.
func checkError(t *testing.T, e *Error, want errView) {
	t.Helper()
	if got := viewOf(e); !reflect.DeepEqual(got, want) {
		t.Errorf("error =\n\t%+v\nwant\n\t%+v", got, want)
	}
}

const skipPipeline = `version: 1
name: t
workers: 2
items: {range: [0, 6]}
map:
  steps:
    - expr: append_file("attempts.txt", string(index))
    - name: check
      expr: 'index in [1, 4] ? fail("bad " + string(item)) : item * 10'
  on_error: %s
callbacks:
  error:
    steps:
      - expr: capture("error", error)
output:
  format: json
`

func TestMapSkip(t *testing.T) {
	o, rec, dir := observe(t, strings.Replace(skipPipeline, "%s", "skip", 1))
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	wantErrors := []any{
		dsl.ErrorValue{Kind: "fail", Message: "bad 1", Stage: "map", Step: "check", Item: 1, Index: 1, Attempt: 1, Position: "pipeline.yaml:9:32"},
		dsl.ErrorValue{Kind: "fail", Message: "bad 4", Stage: "map", Step: "check", Item: 4, Index: 4, Attempt: 1, Position: "pipeline.yaml:9:32"},
	}
	if got := coreErrors(rec.values("error")); !reflect.DeepEqual(got, wantErrors) {
		t.Errorf("callbacks.error saw\n\t%+v\nwant\n\t%+v", got, wantErrors)
	}
	if got, want := o.stdout, "[\n  0,\n  20,\n  30,\n  50\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	attempts := fileLines(t, dir, "attempts.txt")
	slices.Sort(attempts)
	if want := []string{"0", "1", "2", "3", "4", "5"}; !slices.Equal(attempts, want) {
		t.Errorf("attempts = %q, want one per item %q", attempts, want)
	}
	o.sum.Stats.Elapsed = 0
	wantSum := Summary{Stats: dsl.Stats{Total: 6, OK: 4, Skipped: 2}, Output: "-"}
	if !reflect.DeepEqual(*o.sum, wantSum) {
		t.Errorf("summary =\n\t%+v\nwant\n\t%+v", *o.sum, wantSum)
	}
	for _, i := range []int{1, 4} {
		if got := rec.record(t, i).Status; got != StatusSkipped {
			t.Errorf("item %d: status %s, want skipped", i, got)
		}
	}
}

func TestMapSkipWithFallback(t *testing.T) {
	o, rec, _ := observe(t, strings.Replace(skipPipeline, "%s", `
    then: skip
    fallback: '"fallback for " + error.message'`, 1))
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	want := `[
  0,
  "fallback for bad 1",
  20,
  30,
  "fallback for bad 4",
  50
]
`
	if o.stdout != want {
		t.Errorf("output =\n%s\nwant\n%s", o.stdout, want)
	}
	o.sum.Stats.Elapsed = 0
	wantSum := Summary{Stats: dsl.Stats{Total: 6, OK: 4, Skipped: 2, Fallbacks: 2}, Output: "-"}
	if !reflect.DeepEqual(*o.sum, wantSum) {
		t.Errorf("summary =\n\t%+v\nwant\n\t%+v", *o.sum, wantSum)
	}
	if got := len(rec.values("error")); got != 2 {
		t.Errorf("callbacks.error ran %d times, want 2", got)
	}
	if r := rec.record(t, 4); r.Status != StatusSkipped || !r.Fallback {
		t.Errorf("item 4: status %s, fallback %t; want skipped, true", r.Status, r.Fallback)
	}
}

func TestMapRetryWaits(t *testing.T) {
	tests := []struct {
		name  string
		retry string
		fails int // attempts that fail before one succeeds
		waits []time.Duration
	}{
		{"exponential capped", "{attempts: 5, delay: 100ms, max_delay: 300ms}", 4,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}},
		{"exponential default cap", "{attempts: 4, delay: 100ms, backoff: exponential}", 3,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"exponential reaches the default 5s", "{attempts: 8, delay: 1s}", 7,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}},
		{"constant", "{attempts: 3, delay: 250ms, backoff: constant}", 2,
			[]time.Duration{250 * time.Millisecond, 250 * time.Millisecond}},
		{"defaults", "{}", 2, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"succeeds at once", "{attempts: 3}", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: [7]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
    - expr: 'attempt <= `+itoa(tt.fails)+` ? fail("flaky") : item * attempt'
  on_error:
    retry: `+tt.retry+`
output:
  format: json
`)
			if o.err != nil {
				t.Fatalf("Run: %v", o.err)
			}
			var want []string
			for i := 1; i <= tt.fails+1; i++ {
				want = append(want, itoa(i))
			}
			if got := fileLines(t, dir, "attempts.txt"); !slices.Equal(got, want) {
				t.Errorf("attempts = %q, want %q", got, want)
			}
			if !slices.Equal(o.waits, tt.waits) {
				t.Errorf("waits = %v, want %v", o.waits, tt.waits)
			}
			if got, want := o.stdout, "[\n  "+itoa(7*(tt.fails+1))+"\n]\n"; got != want {
				t.Errorf("output = %q, want %q", got, want)
			}
			retried := 0
			if tt.fails > 0 {
				retried = 1
			}
			if got := o.sum.Stats; got.OK != 1 || got.Total != 1 || got.Retried != retried {
				t.Errorf("stats = %+v, want ok 1, total 1, retried %d", got, retried)
			}
			if got := len(rec.retries); got != tt.fails {
				t.Errorf("Observer.Retrying called %d times, want %d", got, tt.fails)
			}
		})
	}
}

func TestMapRetryJitter(t *testing.T) {
	dir := t.TempDir()
	plan := loadPlan(t, dir, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: 'attempt < 4 ? fail("flaky") : 1'
  on_error:
    retry: {attempts: 4, delay: 100ms, backoff: constant, jitter: 20%}
`)
	for _, tt := range []struct {
		rnd  float64
		want time.Duration
	}{{0, 80 * time.Millisecond}, {0.5, 100 * time.Millisecond}, {0.75, 110 * time.Millisecond}} {
		o := testRun{t: t, plan: plan, rand: func() float64 { return tt.rnd }}.run()
		if o.err != nil {
			t.Fatalf("Run: %v", o.err)
		}
		want := []time.Duration{tt.want, tt.want, tt.want}
		if !slices.Equal(o.waits, want) {
			t.Errorf("rand %g: waits = %v, want %v", tt.rnd, o.waits, want)
		}
	}
}

func TestMapRetrySpentThenSkip(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: [a, b]
map:
  steps:
    - expr: append_file("attempts.txt", item + string(attempt))
    - expr: 'item == "a" ? fail("always") : item'
  on_error:
    retry: {attempts: 3, delay: 10ms}
    then: skip
callbacks:
  error:
    steps:
      - expr: capture("attempt", error.attempt)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"a1", "a2", "a3", "b1"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
	if got, want := o.waits, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	if got, want := rec.values("attempt"), []any{3}; !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw attempts %v, want %v", got, want)
	}
	e := rec.record(t, 0).Err
	if e.Attempt != 3 || e.Attempts != 3 || e.Outcome.String() != "retry, then skip" {
		t.Errorf("error: attempt %d of %d, policy %q; want 3 of 3, %q", e.Attempt, e.Attempts, e.Outcome.String(), "retry, then skip")
	}
	if got, want := e.Error(), `map/step 2: item 0 "a" (attempt 3 of 3): always`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := o.sum.Stats; got.Skipped != 1 || got.OK != 1 || got.Retried != 1 {
		t.Errorf("stats = %+v, want skipped 1, ok 1, retried 1", got)
	}
}

func TestMapRetryWhenFalse(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
    - expr: fail("not worth retrying")
  on_error:
    retry:
      attempts: 5
      when: error.kind in ["exit", "timeout"]
    then: skip
callbacks:
  error:
    steps:
      - expr: capture("error", error)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"1"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
	if len(o.waits) != 0 {
		t.Errorf("waits = %v, want none", o.waits)
	}
	want := []any{dsl.ErrorValue{Kind: "fail", Message: "not worth retrying", Stage: "map", Step: "step 2",
		Item: 1, Index: 0, Attempt: 1, Position: "pipeline.yaml:8:13"}}
	if got := coreErrors(rec.values("error")); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw\n\t%+v\nwant\n\t%+v", got, want)
	}
	if got := o.sum.Stats; got.Skipped != 1 || got.Retried != 0 {
		t.Errorf("stats = %+v, want skipped 1, retried 0", got)
	}
}

func TestMapRetryWhenHoldsThenStops(t *testing.T) {
	// when sees the error of each attempt: it holds for the first two
	// failures (kind fail) and not for the third (kind assert).
	o, _, dir := observe(t, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
    - assert: attempt < 3
    - expr: fail("again")
  on_error:
    retry: {attempts: 10, delay: 1ms, when: 'error.kind == "fail"'}
`)
	e := abortError(t, o.err)
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
	if e.Kind != KindAssert || e.Attempt != 3 || e.Message() != "assertion failed: attempt < 3" {
		t.Errorf("error: kind %s, attempt %d, message %q; want assert, 3, %q", e.Kind, e.Attempt, e.Message(), "assertion failed: attempt < 3")
	}
	if got, want := o.waits, []time.Duration{time.Millisecond, 2 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestMapRetryWhenErrors(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
    - expr: fail("flaky")
  on_error:
    retry:
      attempts: 5
      when: error.item.retryable == true
    then: skip
callbacks:
  error:
    steps:
      - expr: capture("message", error.message)
      - expr: capture("notes", error.notes)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"1"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
	if len(o.waits) != 0 {
		t.Errorf("waits = %v, want none", o.waits)
	}
	want := []any{"flaky"}
	if got := rec.values("message"); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw message %q, want %q", got, want)
	}
	// The when's own failure is a note of the failure, at the when.
	notes := []any{[]dsl.NoteValue{{Message: "retry.when failed, so the failure was not retried: cannot fetch retryable from int",
		Position: "pipeline.yaml:12:13", File: "pipeline.yaml", Line: 12, Column: 13, EndLine: 12, EndColumn: 40}}}
	if got := rec.values("notes"); !reflect.DeepEqual(got, notes) {
		t.Errorf("callbacks.error saw notes %+v, want %+v", got, notes)
	}
}

func TestMapMaxFailuresCount(t *testing.T) {
	o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: {range: [0, 10]}
map:
  steps:
    - expr: append_file("started.txt", string(index))
    - expr: 'index % 2 == 1 ? fail("odd " + string(index)) : index'
  on_error:
    then: skip
    max_failures: 2
callbacks:
  error:
    steps:
      - expr: capture("index", error.index)
`)
	e := abortError(t, o.err)
	if got, want := fileLines(t, dir, "started.txt"), []string{"0", "1", "2", "3", "4", "5"}; !slices.Equal(got, want) {
		t.Errorf("started = %q, want %q", got, want)
	}
	want := errView{Kind: KindFail, Message: "odd 5", Subject: Subject{Stage: "map", Step: "step 2", Item: 5, Index: 5, Worker: 0, Attempt: 1, Attempts: 1}, Pos: dsl.Pos{File: "pipeline.yaml", Line: 8, Col: 31}, Policy: "skip, max_failures"}
	checkError(t, e, want)
	wantStatus := map[int]Status{0: StatusOK, 1: StatusSkipped, 2: StatusOK, 3: StatusSkipped, 4: StatusOK, 5: StatusFailed}
	if got := rec.statuses(); !reflect.DeepEqual(got, wantStatus) {
		t.Errorf("statuses = %v, want %v", got, wantStatus)
	}
	for _, v := range rec.values("index") {
		if v != 1 && v != 3 {
			t.Errorf("callbacks.error ran for item %v; want it only for the skipped items 1 and 3", v)
		}
	}
	if o.sum.Failed != 1 || !o.sum.Aborted {
		t.Errorf("summary: failed %d, aborted %t; want 1, true", o.sum.Failed, o.sum.Aborted)
	}
}

func TestMapMaxFailuresPercent(t *testing.T) {
	// Items 0-3 fail: 100% of those finished, but fewer than 10 have
	// finished, so the run goes on. Item 10 fails when 11 have finished:
	// 5 of 11 is more than 20%.
	o, rec, dir := observe(t, `version: 1
name: t
workers: 1
items: {range: [0, 20]}
map:
  steps:
    - expr: append_file("started.txt", string(index))
    - expr: 'index < 4 || index == 10 ? fail("bad") : index'
  on_error:
    then: skip
    max_failures: 20%
`)
	e := abortError(t, o.err)
	if got, want := e.Message(), "bad"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if len(e.Notes) != 1 || e.Notes[0].Error() != "max_failures 20% passed: 5 of 11 finished items failed" {
		t.Errorf("notes = %v, want the budget that was passed", e.Notes)
	}
	if e.Index != 10 || e.Kind != KindFail {
		t.Errorf("error: item %d, kind %s; want item 10, kind fail", e.Index, e.Kind)
	}
	if got := fileLines(t, dir, "started.txt"); len(got) != 11 || got[10] != "10" {
		t.Errorf("started = %q, want items 0 to 10", got)
	}
	for i := 0; i < 4; i++ {
		if got := rec.record(t, i).Status; got != StatusSkipped {
			t.Errorf("item %d: status %s, want skipped", i, got)
		}
	}
	if got := rec.record(t, 10).Status; got != StatusFailed {
		t.Errorf("item 10: status %s, want failed", got)
	}
}

func TestMapMaxFailuresPercentNotPassed(t *testing.T) {
	// 3 failures of 20 items is 15%, under 20%: the run succeeds. The
	// failures come first, before 10 items have finished. (With several
	// workers the share when a failure lands would depend on timing.)
	o, _, _ := observe(t, `version: 1
name: t
workers: 1
items: {range: [0, 20]}
map:
  steps:
    - expr: 'index in [0, 1, 2] ? fail("bad") : index'
  on_error:
    then: skip
    max_failures: 20%
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got := o.sum.Stats; got.Skipped != 3 || got.OK != 17 || got.Total != 20 {
		t.Errorf("stats = %+v, want skipped 3, ok 17, total 20", got)
	}
}

func TestMapCancelledNeverRetried(t *testing.T) {
	// Item 0 blocks until the run is cancelled by item 1's final failure;
	// its cancellation is not retried although its policy retries every
	// other kind, and callbacks.error does not run for it.
	started := make(chan struct{})
	o, rec, dir := observe(t, `version: 1
name: t
workers: 2
items: [0, 1]
map:
  steps:
    - expr: append_file("attempts-" + string(item) + ".txt", string(attempt))
    - expr: 'item == 0 ? block_started() : wait_started()'
    - expr: 'item == 0 ? sleep("10s") : fail("item 1 fails")'
  on_error:
    retry: {attempts: 3, delay: 1ms}
    then: abort-all
callbacks:
  error:
    steps:
      - expr: capture("error", error.index)
`, hook("block_started", func() int { close(started); return 0 }),
		hook("wait_started", func() int { return waitFor(started) }))
	e := abortError(t, o.err)
	if e.Index != 1 || e.Kind != KindFail || e.Attempt != 3 {
		t.Errorf("error: item %d, kind %s, attempt %d; want item 1, fail, 3", e.Index, e.Kind, e.Attempt)
	}
	if got, want := fileLines(t, dir, "attempts-0.txt"), []string{"1"}; !slices.Equal(got, want) {
		t.Errorf("item 0 attempts = %q, want %q", got, want)
	}
	if got, want := fileLines(t, dir, "attempts-1.txt"), []string{"1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("item 1 attempts = %q, want %q", got, want)
	}
	r := rec.record(t, 0)
	if r.Status != StatusCancelled || r.Err == nil || r.Err.Kind != KindCancelled || r.Err.Attempt != 1 {
		t.Errorf("item 0: status %s, error %+v; want cancelled at attempt 1", r.Status, r.Err)
	}
	if got := rec.values("error"); len(got) != 0 {
		t.Errorf("callbacks.error ran for %v, want never", got)
	}
	if o.sum.Cancelled != 1 || o.sum.Failed != 1 {
		t.Errorf("summary: cancelled %d, failed %d; want 1, 1", o.sum.Cancelled, o.sum.Failed)
	}
}

func TestMapRetryWhenSeesAttempt(t *testing.T) {
	o, _, dir := observe(t, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
    - expr: fail("again")
  on_error:
    retry: {attempts: 10, when: 'attempt < 3'}
    then: skip
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
}

func TestMapFallbackFails(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
items: [1, 2]
map:
  steps:
    - expr: 'item == 2 ? fail("bad") : item'
  on_error:
    then: skip
    fallback: error.item.x
callbacks:
  error:
    steps:
      - expr: capture("message", error.message)
      - expr: capture("note", error.notes[0].message)
output:
  format: json
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[\n  1\n]\n"; got != want {
		t.Errorf("output = %q, want %q: a failed fallback gives no result", got, want)
	}
	want := []any{"bad"}
	if got := rec.values("message"); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw %q, want %q", got, want)
	}
	if got, want := rec.values("note"), []any{"fallback failed, so the item has no result: cannot fetch x from int"}; !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks.error saw notes %q, want %q", got, want)
	}
	if got := o.sum.Stats; got.Skipped != 1 || got.Fallbacks != 0 {
		t.Errorf("stats = %+v, want skipped 1, fallbacks 0", got)
	}
}

func TestRetryWaitEndsWhenCancelled(t *testing.T) {
	// The real wait: 10s before the second attempt, cut short by the
	// run's timeout.
	dir := t.TempDir()
	rec := newRecorder()
	plan := loadPlan(t, dir, `version: 1
name: t
workers: 1
timeout: 100ms
items: [1]
map:
  steps:
    - expr: append_file("attempts.txt", string(attempt))
    - expr: fail("flaky")
  on_error:
    retry: {attempts: 3, delay: 10s}
`)
	o := testRun{t: t, plan: plan, observer: rec, realWait: true}.run()
	e := abortError(t, o.err)
	if e.Kind != KindTimeout || e.Stage != "run" {
		t.Errorf("error: kind %s, stage %s; want timeout, run", e.Kind, e.Stage)
	}
	if o.elapsed > 5*time.Second {
		t.Errorf("the run took %s, want the wait cut short", o.elapsed)
	}
	if got, want := fileLines(t, dir, "attempts.txt"), []string{"1"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
	r := rec.record(t, 0)
	if r.Status != StatusCancelled || r.Err.Kind != KindCancelled || r.Err.Message() != "cancelled while waiting to retry" {
		t.Errorf("item 0: status %s, kind %s, message %q; want cancelled while waiting to retry", r.Status, r.Err.Kind, r.Err.Message())
	}
}
