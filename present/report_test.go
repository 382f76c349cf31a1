package present

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// knownSource is the pipeline of the known run the report tests use.
const knownSource = `version: 1
name: known
workers: 3
initializer:
  steps:
    - expr: worker.id
items: [a, b, c, d]
map:
  steps:
    - name: work
      expr: item
`

// origin is when the known run started.
var origin = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(ms float64) time.Time { return origin.Add(time.Duration(ms * float64(time.Millisecond))) }

func dur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

func knownPlan(t testing.TB) *dsl.Plan {
	t.Helper()
	plan, diags := dsl.Load("pipeline.yaml", []byte(knownSource), dsl.Options{Functions: builtins.Options(), Workdir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatalf("pipeline does not load:\n%s", diags.Error())
	}
	return plan
}

// failureOfItem is the failure of attempt n of item index on worker w.
func failureOfItem(index int, item string, w, n, of int, kind runtime.Kind, then string) *runtime.Error {
	return &runtime.Error{Kind: kind, Subject: runtime.Subject{Stage: "map", Step: "work", Item: item, Index: index, Worker: w,
		Attempt: n, Attempts: of}, At: dsl.Over(dsl.Pos{File: "pipeline.yaml", Line: 11, Col: 7}, 4),
		Cause: errors.New("no good"), Outcome: runtime.Outcome{Retry: of > 1, Then: then}}
}

// feedKnownRun tells w of the known run: three workers, whose initializers
// ran at 0-2ms, 0-3ms and (the third) never; item a ok on worker 0 at
// 2-5ms; item b on worker 1 failed at 3-4ms, retried at 6-7.5ms and was
// skipped; item c cancelled on worker 0 at 5-9ms, when the run was
// interrupted at 9ms; item d never started.
func feedKnownRun(w runtime.Observer) {
	w.RunStarted(4)
	w.StageFinished(runtime.StageRecord{Stage: "initializer", Worker: 0, Index: -1, Started: at(0), Duration: dur(2)})
	w.StageFinished(runtime.StageRecord{Stage: "initializer", Worker: 1, Index: -1, Started: at(0), Duration: dur(3)})
	w.ItemFinished(runtime.ItemRecord{Index: 0, Item: "a", Worker: 0, Status: runtime.StatusOK, Started: at(2), Duration: dur(3)})
	b1 := failureOfItem(1, "b", 1, 1, 2, runtime.KindExpr, "skip")
	b2 := failureOfItem(1, "b", 1, 2, 2, runtime.KindExpr, "skip")
	w.ItemFinished(runtime.ItemRecord{Index: 1, Item: "b", Worker: 1, Status: runtime.StatusSkipped, Err: b2,
		Attempts: []runtime.Attempt{{Started: at(3), Duration: dur(1), Err: b1}, {Started: at(6), Duration: dur(1.5), Err: b2}},
		Started:  at(3), Duration: dur(4.5)})
	c := failureOfItem(2, "c", 0, 1, 1, runtime.KindCancelled, "")
	w.ItemFinished(runtime.ItemRecord{Index: 2, Item: "c", Worker: 0, Status: runtime.StatusCancelled, Err: c,
		Attempts: []runtime.Attempt{{Started: at(5), Duration: dur(4), Err: c}}, Started: at(5), Duration: dur(4)})
	w.ItemNotStarted(3, "d")
}

// knownReport writes the known run's JSON report and reads it back.
func knownReport(t *testing.T) *Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.json")
	writeKnown(t, path)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(text, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// writeKnown writes the known run's report to path, in the format its
// extension asks for.
func writeKnown(t *testing.T, path string) {
	t.Helper()
	plan := knownPlan(t)
	w, err := NewReportWriter(plan, path, origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	tally := runtime.NewTally()
	feedKnownRun(runtime.Observers{w, tally})
	sum := &runtime.Summary{Stats: dsl.Stats{Total: 2, OK: 1, Skipped: 1, Retried: 1}, Cancelled: 1, NotStarted: 1,
		Aborted: true, AbortedAt: at(9)}
	runErr := &runtime.Error{Kind: runtime.KindInterrupted, Subject: runtime.Subject{Stage: "run", Index: -1, Worker: -1},
		Cause: errors.New("interrupted by SIGINT")}
	info := RunInfo{Started: origin, Ended: at(10), ExitStatus: 130, Interrupted: true, Source: []byte(knownSource)}
	if err := w.Finish(NewReport(plan, sum, tally, runErr, info)); err != nil {
		t.Fatal(err)
	}
}

// The report says when each attempt started, from the run's start; which
// worker ran its initializer when; when the run was stopped; each stage's
// histogram; and the pipeline's source, for the failures' snippets.
func TestReportSaysWhen(t *testing.T) {
	r := knownReport(t)
	type attempt struct {
		Started, Duration float64
		Failed            bool
	}
	got := map[int][]attempt{}
	for _, it := range r.Items {
		got[it.Index] = []attempt{}
		for _, a := range it.Attempts {
			got[it.Index] = append(got[it.Index], attempt{a.StartedMS, a.DurationMS, a.Error != nil})
		}
	}
	want := map[int][]attempt{0: {{2, 3, false}}, 1: {{3, 1, true}, {6, 1.5, true}}, 2: {{5, 4, true}}, 3: {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attempts %+v, want %+v", got, want)
	}
	workers := []WorkerJSON{
		{Worker: 0, Initializer: &InitJSON{StartedMS: 0, DurationMS: 2, Status: "ok"}},
		{Worker: 1, Initializer: &InitJSON{StartedMS: 0, DurationMS: 3, Status: "ok"}},
		{Worker: 2}}
	if !reflect.DeepEqual(r.Workers, workers) {
		t.Errorf("workers %+v, want %+v", r.Workers, workers)
	}
	if want := (&EndedByJSON{AtMS: 9, Reason: "interrupt"}); !reflect.DeepEqual(r.EndedBy, want) {
		t.Errorf("ended_by %+v, want %+v", r.EndedBy, want)
	}
	if r.Source != knownSource {
		t.Errorf("source %q, want the pipeline's", r.Source)
	}
	hist := map[string][]BinJSON{}
	for _, s := range r.Stages {
		hist[s.Stage] = s.Histogram
	}
	wantHist := map[string][]BinJSON{
		"initializer": {{UpToMS: 2, Count: 1}, {UpToMS: 5, Count: 1}},
		"map":         {{UpToMS: 5, Count: 2}},
	}
	if !reflect.DeepEqual(hist, wantHist) {
		t.Errorf("histograms %+v, want %+v", hist, wantHist)
	}
}

// A run that ran to its end has no ended_by.
func TestReportOfARunThatRanToItsEnd(t *testing.T) {
	plan := knownPlan(t)
	w, err := NewReportWriter(plan, filepath.Join(t.TempDir(), "r.json"), origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReport(plan, &runtime.Summary{}, runtime.NewTally(), nil, RunInfo{Started: origin, Ended: at(1)})
	if r.EndedBy != nil {
		t.Errorf("ended_by %+v, want null", r.EndedBy)
	}
	w.Close()
}
