package runtime

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestResultCallbackFailsSkip(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
workers: 3
items: {range: [0, 5]}
map:
  steps:
    - expr: item + 100
callbacks:
  result:
    steps:
      - expr: 'fail("cannot record " + string(result))'
    on_error: skip
output:
  format: json
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[\n  100,\n  101,\n  102,\n  103,\n  104\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if got := len(o.sum.CallbackFailures); got != 5 {
		t.Fatalf("%d callback failures, want 5", got)
	}
	for i, e := range o.sum.CallbackFailures {
		want := `callbacks.result/step 1: item ` + itoa(i) + ` (` + itoa(i) + `): cannot record ` + itoa(i+100)
		if e.Kind != KindFail || e.Index != i || e.Error() != want {
			t.Errorf("callback failure %d: kind %s, index %d, %q; want fail, %d, %q", i, e.Kind, e.Index, e.Error(), i, want)
		}
	}
	if got := len(rec.cbFailed); got != 5 {
		t.Errorf("Observer heard %d callback failures, want 5", got)
	}
	if got := o.sum.Stats; got.OK != 5 || got.Total != 5 {
		t.Errorf("stats = %+v, want ok 5, total 5", got)
	}
}

func TestResultCallbackFailsAbortAll(t *testing.T) {
	o, _, dir := observe(t, `version: 1
name: t
workers: 1
items: {range: [0, 50]}
map:
  steps:
    - expr: append_file("started.txt", string(index))
callbacks:
  result:
    steps:
      - expr: append_file("callbacks.txt", string(index))
      - expr: 'index == 2 ? fail("cannot record") : nil'
output:
  to: out.json
`)
	e := abortError(t, o.err)
	if e.Kind != KindCallback || e.Stage != "callbacks.result" || e.Step != "step 2" || e.Index != 2 || e.Message() != "cannot record" {
		t.Errorf("error = %+v, want kind callback at callbacks.result/step 2, item 2, %q", e, "cannot record")
	}
	if got, want := o.err.Error(), "run aborted: callbacks.result/step 2: item 2 (2): cannot record"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
	if c, ok := e.Cause.(*Error); !ok || c.Kind != KindFail {
		t.Errorf("cause = %#v, want the callback's own error, kind fail", e.Cause)
	}
	if got, want := fileLines(t, dir, "callbacks.txt"), []string{"0", "1", "2"}; !slices.Equal(got, want) {
		t.Errorf("callbacks ran for %q, want %q: none after the failure", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); !os.IsNotExist(err) {
		t.Errorf("out.json exists after an aborted run (stat: %v)", err)
	}
}

func TestErrorCallbackFails(t *testing.T) {
	const src = `version: 1
name: t
workers: 2
items: {range: [0, 4]}
map:
  steps:
    - expr: 'index == 1 ? fail("bad item") : index'
  on_error: skip
callbacks:
  error:
    steps:
      - expr: 'fail("cannot report " + error.message)'
    on_error: %s
output:
  format: json
`
	t.Run("skip", func(t *testing.T) {
		o, _, _ := observe(t, replaceOnce(src, "%s", "skip"))
		if o.err != nil {
			t.Fatalf("Run: %v", o.err)
		}
		if got, want := o.stdout, "[\n  0,\n  2,\n  3\n]\n"; got != want {
			t.Errorf("output = %q, want %q", got, want)
		}
		if len(o.sum.CallbackFailures) != 1 {
			t.Fatalf("callback failures = %v, want 1", o.sum.CallbackFailures)
		}
		e := o.sum.CallbackFailures[0]
		if got, want := e.Error(), "callbacks.error/step 1: item 1 (1): cannot report bad item"; got != want {
			t.Errorf("callback failure = %q, want %q", got, want)
		}
	})
	t.Run("abort-all", func(t *testing.T) {
		o, _, _ := observe(t, replaceOnce(src, "%s", "abort-all"))
		e := abortError(t, o.err)
		if got, want := e.Error(), "callbacks.error/step 1: item 1 (1): cannot report bad item"; got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
		if e.Kind != KindCallback {
			t.Errorf("kind = %s, want callback", e.Kind)
		}
		if o.stdout != "" {
			t.Errorf("output = %q, want none", o.stdout)
		}
	})
}

func TestDoneCallback(t *testing.T) {
	const src = `version: 1
name: t
workers: 2
items: {range: [0, 4]}
map:
  steps:
    - expr: 'index == 1 ? fail("bad item") : index'
  on_error: skip
callbacks:
  done:
    steps:
      - expr: 'capture("done", {"results": results, "errors": len(errors), "total": stats.total, "ok": stats.ok, "skipped": stats.skipped})'
      - expr: fail("done broke")
    on_error: %s
output:
  to: out.json
`
	t.Run("abort-all", func(t *testing.T) {
		o, rec, dir := observe(t, replaceOnce(src, "%s", "abort-all"))
		e := abortError(t, o.err)
		if got, want := e.Error(), "callbacks.done/step 2: done broke"; got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
		if e.Kind != KindCallback || e.Index != -1 || e.Worker != -1 {
			t.Errorf("error: kind %s, index %d, worker %d; want callback, -1, -1", e.Kind, e.Index, e.Worker)
		}
		if _, err := os.Stat(filepath.Join(dir, "out.json")); !os.IsNotExist(err) {
			t.Errorf("out.json exists after callbacks.done failed (stat: %v)", err)
		}
		want := []any{map[string]any{"results": []any{0, 2, 3}, "errors": 1, "total": 4, "ok": 3, "skipped": 1}}
		if got := rec.values("done"); !reflect.DeepEqual(got, want) {
			t.Errorf("callbacks.done saw %v, want %v", got, want)
		}
		if o.sum.Output != "" || !o.sum.Aborted {
			t.Errorf("summary: output %q, aborted %t; want none, true", o.sum.Output, o.sum.Aborted)
		}
	})
	t.Run("skip", func(t *testing.T) {
		o, _, dir := observe(t, replaceOnce(src, "%s", "skip"))
		if o.err != nil {
			t.Fatalf("Run: %v", o.err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "out.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), "[\n  0,\n  2,\n  3\n]\n"; got != want {
			t.Errorf("out.json = %q, want %q", got, want)
		}
		if len(o.sum.CallbackFailures) != 1 || o.sum.CallbackFailures[0].Message() != "done broke" {
			t.Errorf("callback failures = %v, want done broke", o.sum.CallbackFailures)
		}
	})
}

func TestDoneCallbackNotAfterAbort(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
workers: 1
items: [1, 2]
map:
  steps:
    - expr: fail("bad")
callbacks:
  done:
    steps:
      - expr: capture("done", true)
`)
	abortError(t, o.err)
	if got := rec.values("done"); len(got) != 0 {
		t.Errorf("callbacks.done ran after an abort")
	}
}

func TestCallbacksOneAtATime(t *testing.T) {
	// Result and error callbacks each hold a gauge while they sleep; the
	// gauge never reads more than one. Items finish in any order.
	var g gauge
	o, _, _ := observe(t, `version: 1
name: t
workers: 8
order: completion
items: {range: [0, 40]}
map:
  steps:
    - expr: 'index % 7 == 3 ? fail("bad") : index'
  on_error: skip
callbacks:
  result:
    steps:
      - expr: enter()
      - expr: sleep("1ms")
      - expr: leave()
  error:
    steps:
      - expr: enter()
      - expr: sleep("1ms")
      - expr: leave()
`, hook("enter", func() int { g.add(1); return 0 }), hook("leave", func() int { g.add(-1); return 0 }))
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got := g.max.Load(); got != 1 {
		t.Errorf("at most %d callbacks ran at once, want 1", got)
	}
	if got := o.sum.Stats; got.OK+got.Skipped != 40 {
		t.Errorf("stats = %+v, want 40 items delivered", got)
	}
}

func TestCallbacksInDeliveryOrder(t *testing.T) {
	// The items finish in reverse order, forced by a gate (no sleep), yet
	// with order input the callbacks see indexes 0, 1, 2, ... and results
	// come in item order. The sequencer shows that they did finish
	// reversed, so the test fails if nothing reorders.
	seq := newSequencer([]int{7, 6, 5, 4, 3, 2, 1, 0})
	rec := newRecorder()
	plan := loadPlan(t, t.TempDir(), `version: 1
name: t
workers: 8
window: 8
order: input
items: {range: [0, 8]}
map:
  steps:
    - expr: gate(item)
    - expr: capture("finished", index)
    - expr: 'index == 5 ? fail("bad") : index'
  on_error: skip
callbacks:
  result:
    steps:
      - expr: capture("delivered", index)
  error:
    steps:
      - expr: capture("delivered", index)
output:
  format: json
`, seq.gate(), rec.capture())
	o := testRun{t: t, plan: plan, observer: Observers{seq, rec}}.run()
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := rec.values("finished"), []any{7, 6, 5, 4, 3, 2, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Fatalf("the items finished in the order %v, want %v", got, want)
	}
	if got, want := rec.values("delivered"), []any{0, 1, 2, 3, 4, 5, 6, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks saw %v, want %v", got, want)
	}
	if got, want := o.stdout, "[\n  0,\n  1,\n  2,\n  3,\n  4,\n  6,\n  7\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestSlowCallbackDoesNotDeadlock(t *testing.T) {
	// A callback slower than the items fills the window; the workers wait
	// and the run still ends with every result.
	o, _, _ := observe(t, `version: 1
name: t
workers: 4
window: 2
items: {range: [0, 30]}
map:
  steps:
    - expr: index
callbacks:
  result:
    steps:
      - expr: sleep("1ms")
output:
  format: jsonl
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	var want string
	for i := 0; i < 30; i++ {
		want += itoa(i) + "\n"
	}
	if o.stdout != want {
		t.Errorf("output = %q, want %q", o.stdout, want)
	}
}

func TestCallbackCancelledByAbortIsNotReported(t *testing.T) {
	// Item 0's result callback is sleeping when item 1 fails under
	// abort-all: the callback is cancelled, and the run reports item 1's
	// failure only.
	cbStarted := make(chan struct{})
	o, rec, _ := observe(t, `version: 1
name: t
workers: 2
order: completion
items: [0, 1]
map:
  steps:
    - expr: 'item == 1 ? wait_callback() : 0'
    - expr: 'item == 1 ? fail("item 1 fails") : item'
callbacks:
  result:
    steps:
      - expr: callback_started()
      - expr: sleep("10s")
    on_error: skip
`, hook("callback_started", func() int { close(cbStarted); return 0 }),
		hook("wait_callback", func() int { return waitFor(cbStarted) }))
	e := abortError(t, o.err)
	if got, want := e.Error(), "map/step 2: item 1 (1): item 1 fails"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if len(o.sum.CallbackFailures) != 0 || len(rec.cbFailed) != 0 {
		t.Errorf("callback failures = %v, want none: a cancelled callback is not a failure", o.sum.CallbackFailures)
	}
	if o.elapsed > 5*time.Second {
		t.Errorf("the run took %s, want the callback's sleep cancelled", o.elapsed)
	}
}

func TestCallbackRetry(t *testing.T) {
	// Every odd call of the callback fails: each item's callback needs two
	// attempts.
	var calls atomic.Int64
	o, _, dir := observe(t, `version: 1
name: t
workers: 1
items: [a, b]
map:
  steps:
    - expr: item
callbacks:
  result:
    steps:
      - name: n
        expr: call()
      - expr: append_file("callbacks.txt", item + string(n))
      - expr: 'n % 2 == 1 ? fail("busy") : nil'
    on_error:
      retry: {attempts: 2, delay: 30ms}
`, hook("call", func() int { return int(calls.Add(1)) }))
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := fileLines(t, dir, "callbacks.txt"), []string{"a1", "a2", "b3", "b4"}; !slices.Equal(got, want) {
		t.Errorf("callback attempts = %q, want %q", got, want)
	}
	if got, want := o.waits, []time.Duration{30 * time.Millisecond, 30 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	if len(o.sum.CallbackFailures) != 0 {
		t.Errorf("callback failures = %v, want none", o.sum.CallbackFailures)
	}
}

func TestCallbackTimeout(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
items: [a]
map:
  steps:
    - expr: item
callbacks:
  result:
    steps:
      - expr: sleep("10s")
    timeout: 50ms
    on_error: skip
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if len(o.sum.CallbackFailures) != 1 {
		t.Fatalf("callback failures = %v, want 1", o.sum.CallbackFailures)
	}
	e := o.sum.CallbackFailures[0]
	if got, want := e.Error(), `callbacks.result/step 1: item 0 "a": timed out after 50ms (callbacks.result.timeout, per attempt)`; got != want {
		t.Errorf("callback failure = %q, want %q", got, want)
	}
}
