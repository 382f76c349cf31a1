package runtime

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The records say when things started, from the clock readings that time
// them: an item starts with its first attempt and ends with its last, an
// attempt ends at Started+Duration, the next attempt starts after the retry
// wait, and the next item on a worker after the previous one ended.
func TestRecordsSayWhenAttemptsStarted(t *testing.T) {
	before := time.Now()
	out, rec, _ := observeReal(t, `
version: 1
name: t
workers: 1
items: [0, 1, 2]
map:
  steps:
    - expr: 'item == 1 && attempt < 3 ? fail("again") : item'
  on_error:
    retry: {attempts: 3, delay: 20ms, backoff: constant}
`)
	after := time.Now()
	if out.err != nil {
		t.Fatalf("run failed: %v", out.err)
	}
	var prevEnd time.Time
	for i := range 3 {
		r := rec.record(t, i)
		if r.Started.Before(before) || r.Started.Add(r.Duration).After(after) || r.Started.Before(prevEnd) {
			t.Errorf("item %d ran from %v for %v: not within the run (%v to %v) after the previous item (%v)",
				i, r.Started, r.Duration, before, after, prevEnd)
		}
		prevEnd = r.Started.Add(r.Duration)
	}
	r := rec.record(t, 1)
	if len(r.Attempts) != 3 {
		t.Fatalf("item 1 has %d attempts, want 3", len(r.Attempts))
	}
	if !r.Attempts[0].Started.Equal(r.Started) {
		t.Errorf("first attempt started at %v, the item at %v", r.Attempts[0].Started, r.Started)
	}
	for k := 1; k < 3; k++ {
		prev, a := r.Attempts[k-1], r.Attempts[k]
		if gap := a.Started.Sub(prev.Started.Add(prev.Duration)); gap < 20*time.Millisecond {
			t.Errorf("attempt %d started %v after attempt %d ended, want the 20ms wait at least", k+1, gap, k)
		}
	}
	last := r.Attempts[2]
	if end, itemEnd := last.Started.Add(last.Duration), r.Started.Add(r.Duration); !end.Equal(itemEnd) {
		t.Errorf("the last attempt ends at %v, the item at %v: they are the same moment", end, itemEnd)
	}
}

// The initializer's record says when it started: before the worker's
// first item.
func TestInitializerRecordSaysWhenItStarted(t *testing.T) {
	before := time.Now()
	out, rec, _ := observe(t, `
version: 1
name: t
workers: 1
initializer:
  steps:
    - name: conn
      expr: '"db"'
items: [0]
map:
  steps:
    - expr: item
`)
	if out.err != nil {
		t.Fatalf("run failed: %v", out.err)
	}
	if len(rec.stages) != 1 {
		t.Fatalf("stage records: %+v, want the initializer's", rec.stages)
	}
	init, item := rec.stages[0], rec.record(t, 0)
	if init.Stage != "initializer" || init.Worker != 0 || init.Started.Before(before) || item.Started.Before(init.Started.Add(init.Duration)) {
		t.Errorf("initializer %+v; item 0 started at %v: want the initializer first, from %v", init, item.Started, before)
	}
}

// AbortedAt is when the run was stopped: after the failure that aborted
// it, and zero for a run that ran to its end.
func TestSummarySaysWhenTheRunWasAborted(t *testing.T) {
	out, rec, _ := observe(t, `
version: 1
name: t
workers: 1
items: [0, 1]
map:
  steps:
    - expr: 'item == 0 ? fail("no") : item'
`)
	if out.err == nil {
		t.Fatal("the run succeeded, want it aborted")
	}
	failed := rec.record(t, 0)
	if failedAt := failed.Started.Add(failed.Duration); out.sum.AbortedAt.Before(failedAt) {
		t.Errorf("AbortedAt %v, before item 0 failed at %v", out.sum.AbortedAt, failedAt)
	}
	ok, _ := runYAML(t, "version: 1\nname: t\nitems: [0]\nmap:\n  steps:\n    - expr: item\n")
	if !ok.sum.AbortedAt.IsZero() {
		t.Errorf("AbortedAt %v for a run that succeeded, want zero", ok.sum.AbortedAt)
	}
}

// A run its caller cancels (a signal) says when that happened.
func TestSummarySaysWhenTheRunWasInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	var cancelledAt time.Time
	plan := loadPlan(t, t.TempDir(), `
version: 1
name: t
workers: 1
items: [0]
map:
  steps:
    - expr: stop()
`, hook("stop", func() int {
		cancelledAt = time.Now()
		cancel(ErrInterrupted)
		return 0
	}))
	out := testRun{t: t, plan: plan, ctx: ctx}.run()
	if !errors.Is(out.err, ErrAborted) {
		t.Fatalf("run returned %v, want it aborted", out.err)
	}
	if out.sum.AbortedAt.Before(cancelledAt) {
		t.Errorf("AbortedAt %v, before the cancellation at %v", out.sum.AbortedAt, cancelledAt)
	}
}

// observeReal is observe with the real retry sleep.
func observeReal(t *testing.T, src string) (outcomeOf, *recorder, string) {
	t.Helper()
	rec := newRecorder()
	dir := t.TempDir()
	plan := loadPlan(t, dir, src, rec.capture())
	return testRun{t: t, plan: plan, observer: rec, realWait: true}.run(), rec, dir
}
