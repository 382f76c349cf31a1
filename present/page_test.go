package present

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// pageOf builds the page of a report from its own items.
func pageOf(r *Report) *Page {
	p := NewPage()
	for _, it := range r.Items {
		p.Add(it)
	}
	p.Finish(r)
	return p
}

// The known run's page: one lane per worker, the third empty; on each,
// the initializer, then every attempt, coloured by how it ended; the
// skipped item's last attempt links to its failure, rendered as the
// terminal shows it, after the run's own error; the end marker at the
// interruption; the slowest items, cancelled ones aside.
func TestPageOfTheKnownRun(t *testing.T) {
	p := pageOf(knownReport(t))
	initBar := func(ms float64) *Bar {
		return &Bar{StartMS: 0, DurationMS: ms, Outcome: OutcomeOK, Index: -1, Item: "initializer", Failure: -1}
	}
	b1 := `map/work: item 1 "b" failed after 1 of 2 attempts (retry, then skip)`
	b2 := `map/work: item 1 "b" failed after 2 of 2 attempts (retry, then skip)`
	want := Timeline{DurationMS: 10, EndedBy: &EndedByJSON{AtMS: 9, Reason: "interrupt"},
		EndedText: "interrupted at 9ms: run failed", Lanes: []*Lane{
			{Worker: 0, Init: initBar(2), Counts: [outcomes]int{1, 0, 0, 0, 1}, Bars: []Bar{
				{StartMS: 2, DurationMS: 3, Outcome: OutcomeOK, Index: 0, Attempt: 1, Attempts: 1, Item: "a", Failure: -1},
				{StartMS: 5, DurationMS: 4, Outcome: OutcomeCancelled, Index: 2, Attempt: 1, Attempts: 1, Headline: `map/work: item 2 "c" failed`, Failure: -1}}},
			{Worker: 1, Init: initBar(3), Counts: [outcomes]int{0, 1, 1, 0, 0}, Bars: []Bar{
				{StartMS: 3, DurationMS: 1, Outcome: OutcomeRetried, Index: 1, Attempt: 1, Attempts: 2, Headline: b1, Failure: -1},
				{StartMS: 6, DurationMS: 1.5, Outcome: OutcomeSkipped, Index: 1, Attempt: 2, Attempts: 2, Headline: b2, Failure: 1}}},
			{Worker: 2, Bars: []Bar{}},
		}}
	if !reflect.DeepEqual(p.Timeline, want) {
		t.Errorf("timeline:\n%s\nwant\n%s", dump(p.Timeline), dump(want))
	}
	failures := []FailureText{
		{ID: "failure-0", Severity: "error", Headline: "run failed", Text: "error: run failed\n    = error: interrupted: interrupted by SIGINT\n"},
		{ID: "failure-1", Severity: "warning", Headline: b2, Text: "pipeline.yaml:11:7: warning: " + b2 + "\n" +
			"     |\n" +
			"  11 |       expr: item\n" +
			"     |       ^^^^\n" +
			"     = error: expr: no good\n"},
	}
	if !reflect.DeepEqual(p.Failures, failures) || p.MoreFailures != 0 {
		t.Errorf("failures:\n%#v (%d more)\nwant\n%#v", p.Failures, p.MoreFailures, failures)
	}
	var slow []string
	for _, s := range p.Slowest {
		slow = append(slow, fmt.Sprintf("%d %s %s %gms on %d in %d", s.Index, s.Item, s.Status, s.MS, s.Worker, s.Attempts))
	}
	if want := []string{"1 b skipped 4.5ms on 1 in 2", "0 a ok 3ms on 0 in 1"}; !reflect.DeepEqual(slow, want) {
		t.Errorf("slowest %q, want %q", slow, want)
	}
}

// ranReport is a report of n items, one attempt each, on workers
// round-robin over 10ms each, every failEvery-th skipped after a retry.
func ranReport(n, workers, failEvery int) *Report {
	r := &Report{DurationMS: float64(n/workers+1) * 10, Workers: make([]WorkerJSON, workers)}
	for w := range r.Workers {
		r.Workers[w].Worker = w
	}
	for i := range n {
		it := ItemJSON{Index: i, Item: fmt.Sprint(i), Status: "ok", Worker: i % workers}
		start := float64(i/workers) * 10
		if failEvery > 0 && i%failEvery == failEvery-1 {
			e := &dsl.ErrorValue{Kind: "fail", Headline: fmt.Sprintf("map/s: item %d (%d) failed (skip)", i, i), Index: i, Attempts: 2}
			it.Status = "skipped"
			it.Attempts = []AttemptJSON{{StartedMS: start, DurationMS: 4, Error: e}, {StartedMS: start + 5, DurationMS: 4, Error: e}}
		} else {
			it.Attempts = []AttemptJSON{{StartedMS: start, DurationMS: 9}}
		}
		r.Items = append(r.Items, it)
	}
	return r
}

// A distributed run: slot 0 of two worker processes are two lanes, named
// by process and slot, and the submitter's own workers (which ran no
// initializer and no item) are none.
func TestPageOfADistributedRunHasALanePerProcessSlot(t *testing.T) {
	r := ranReport(4, 2, 0)
	for i := range r.Items {
		r.Items[i].Node, r.Items[i].Worker = []string{"w1", "w2"}[i%2], 0
	}
	p := pageOf(r)
	var lanes []string
	for _, l := range p.Timeline.Lanes {
		lanes = append(lanes, fmt.Sprintf("%s/%d: %d bars", l.Node, l.Worker, len(l.Bars)))
	}
	if want := []string{"w1/0: 2 bars", "w2/0: 2 bars"}; !reflect.DeepEqual(lanes, want) {
		t.Errorf("lanes %q, want %q", lanes, want)
	}
	var slow []string
	for _, s := range p.slowView() {
		slow = append(slow, s.Worker)
	}
	if !slices.Contains(slow, "w1 slot 0") || !slices.Contains(slow, "w2 slot 0") {
		t.Errorf("the slowest items' workers are %q, want them named by process and slot", slow)
	}
}

// Up to MaxBars attempts, every one is a bar; past it the lanes are
// binned, each attempt counted in the slice it starts in and its time in
// those it spans, while the failed attempts (up to maxFailureBars) and
// the slowest items stay bars. The bins do not depend on the order of
// the items.
func TestPageBinsPastMaxBars(t *testing.T) {
	p := pageOf(ranReport(MaxBars, 4, 0))
	if p.Timeline.SliceMS != 0 || p.Timeline.Lanes[0].Bars == nil || len(p.Timeline.Lanes[0].Bars) != MaxBars/4 {
		t.Fatalf("%d attempts: slice %gms, %d bars on lane 0; want every attempt a bar", MaxBars, p.Timeline.SliceMS, len(p.Timeline.Lanes[0].Bars))
	}
	r := ranReport(MaxBars+1, 4, 100) // items 99, 199, ... skipped after two attempts
	p = pageOf(r)
	tl := p.Timeline
	// The run takes 25,010ms: the shortest slices of a power of two
	// microseconds of which 400 hold it last 2^16µs, and it takes 382.
	if tl.Slices != 382 || tl.SliceMS != 65.536 {
		t.Fatalf("binned in %d slices of %gms, want 382 of 65.536ms", tl.Slices, tl.SliceMS)
	}
	attempts, bars, failedBars := 0, 0, 0
	for _, l := range tl.Lanes {
		var binned [outcomes]int
		for i, c := range l.Bins {
			binned[i%int(outcomes)] += c
		}
		if binned != l.Counts {
			t.Errorf("lane %d: bins count %v, the lane %v", l.Worker, binned, l.Counts)
		}
		for _, c := range l.Counts {
			attempts += c
		}
		for _, b := range l.Bars {
			bars++
			if b.Outcome != OutcomeOK {
				failedBars++
			}
		}
	}
	failed := 2 * ((MaxBars + 1) / 100)
	if attempts != MaxBars+1+failed/2 || failedBars != failed || bars != failed+slowestShown {
		t.Errorf("%d attempts, %d bars of which %d failed; want %d, %d (the failed ones and the slowest items'), %d",
			attempts, bars, failedBars, MaxBars+1+failed/2, failed+slowestShown, failed)
	}
	reversed := NewPage()
	for i := len(r.Items) - 1; i >= 0; i-- {
		reversed.Add(r.Items[i])
	}
	reversed.Finish(r)
	for i, l := range reversed.Timeline.Lanes {
		if !slices.Equal(l.Bins, tl.Lanes[i].Bins) || !slices.Equal(l.Busy, tl.Lanes[i].Busy) {
			t.Errorf("lane %d: other bins with the items in reverse", i)
		}
	}
	// Worker 0 runs items 0, 4, 8, ... for 9ms of every 10ms.
	l := tl.Lanes[0]
	if busy := l.Busy[int(outcomes)*100 : int(outcomes)*101]; busy[OutcomeOK] < 85 || busy[OutcomeOK] > 95 {
		t.Errorf("lane 0, slice 100: busy %v, want about 90%% ok", busy)
	}
}

// The failed attempts that stay bars are bounded; the rest are counted.
func TestPageBoundsFailureBars(t *testing.T) {
	p := pageOf(ranReport(3*maxFailureBars, 2, 1)) // every item fails twice: 6,000 attempts, not binned
	if p.Timeline.SliceMS != 0 {
		t.Fatalf("binned at %d attempts", 6*maxFailureBars)
	}
	p = pageOf(ranReport(MaxBars, 2, 1))
	failedBars := 0
	for _, l := range p.Timeline.Lanes {
		failedBars += len(l.Bars)
	}
	if failedBars != maxFailureBars {
		t.Errorf("%d bars, want %d", failedBars, maxFailureBars)
	}
	if len(p.Failures) != maxFailureTexts || p.MoreFailures != MaxBars-maxFailureTexts {
		t.Errorf("%d failures rendered, %d more; want %d and %d", len(p.Failures), p.MoreFailures, maxFailureTexts, MaxBars-maxFailureTexts)
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// The page a run writes (--report run.html) is the page its JSON report
// makes (poolflow report run.json -o run.html), byte for byte.
func TestPageFromTheRunIsThePageFromItsJSON(t *testing.T) {
	dir := t.TempDir()
	writeKnown(t, filepath.Join(dir, "r.json"))
	writeKnown(t, filepath.Join(dir, "r.html"))
	in, err := os.Open(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	p, err := ReadPage(in)
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON bytes.Buffer
	if err := p.WriteHTML(&fromJSON); err != nil {
		t.Fatal(err)
	}
	live, err := os.ReadFile(filepath.Join(dir, "r.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(live, fromJSON.Bytes()) {
		t.Errorf("the page of the run (%d bytes) differs from the page of its JSON (%d bytes)", len(live), fromJSON.Len())
	}
	if !bytes.HasPrefix(live, []byte("<!DOCTYPE html>")) {
		t.Errorf("the page starts %q", live[:min(len(live), 40)])
	}
}
