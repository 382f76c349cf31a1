package present

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// synthetic is a made-up run of n items on workers, 10ms each, round
// robin; every failEvery-th item fails twice and is skipped (none when
// 0). With long, its texts are as long as they get: items, headlines and
// standard errors.
type synthetic struct {
	n, workers, failEvery int
	long                  bool
}

func (s synthetic) report() *Report {
	r := &Report{Pipeline: "synthetic", File: "pipeline.yaml", Started: origin, Ended: origin.Add(time.Duration(s.n/s.workers+1) * 10 * time.Millisecond),
		DurationMS: float64(s.n/s.workers+1) * 10, Outcome: "succeeded", Params: map[string]any{}, Workers: make([]WorkerJSON, s.workers),
		Stages: []ReportStage{{StageJSON: StageJSON{Stage: "map", Runs: int64(s.n)}, Histogram: []BinJSON{{UpToMS: 10, Count: int64(s.n)}}}},
		Totals: Totals{Items: s.n}, Source: knownSource}
	for w := range r.Workers {
		r.Workers[w] = WorkerJSON{Worker: w, Initializer: &InitJSON{DurationMS: 1, Status: "ok"}}
	}
	return r
}

// each gives the items one at a time, without holding them.
func (s synthetic) each(yield func(ItemJSON)) {
	text := func(i int) string {
		if s.long {
			return fmt.Sprintf("%d %s", i, strings.Repeat("x", 200))[:200]
		}
		return fmt.Sprint(i)
	}
	stderr := ""
	if s.long {
		stderr = strings.Repeat(strings.Repeat("e", 1000)+"\n", 20)
	}
	ok := []AttemptJSON{{}}
	for i := range s.n {
		it := ItemJSON{Index: i, Item: text(i), Status: "ok", Worker: i % s.workers}
		start := float64(i/s.workers)*10 + 1
		if s.failEvery > 0 && i%s.failEvery == s.failEvery-1 {
			e := &dsl.ErrorValue{Kind: "exit", Headline: fmt.Sprintf("map/%s: item %d %q failed after 2 of 2 attempts (retry, then skip)",
				strings.Repeat("s", 60), i, text(i)), Index: i, Attempts: 2, Stderr: stderr, Command: []string{"/bin/sh", "-c", "false"},
				File: "pipeline.yaml", Line: 11, Column: 7, EndLine: 11, EndColumn: 10, Position: "pipeline.yaml:11:7"}
			it.Status = "skipped"
			it.Attempts = []AttemptJSON{{StartedMS: start, DurationMS: 4, Error: e}, {StartedMS: start + 5, DurationMS: 4, Error: e}}
		} else {
			ok[0] = AttemptJSON{StartedMS: start, DurationMS: 9}
			it.Attempts = ok
		}
		yield(it)
	}
}

func (s synthetic) page() *Page {
	p := NewPage()
	s.each(p.Add)
	p.Finish(s.report())
	return p
}

func pageBytes(t testing.TB, p *Page) int {
	t.Helper()
	var b bytes.Buffer
	if err := p.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.Len()
}

// The page stays within MaxPageBytes whatever the run: at the most bars
// it draws one by one, every attempt failing with the longest texts; and
// binned, for a million items.
func TestPageSizeIsBounded(t *testing.T) {
	tests := []struct {
		name string
		run  synthetic
	}{
		{"the most bars, every one failing, the longest texts", synthetic{n: MaxBars / 2, workers: 8, failEvery: 1, long: true}},
		{"binned, every attempt failing, the longest texts", synthetic{n: 20000, workers: 64, failEvery: 1, long: true}},
		{"binned, a million items, one in a hundred failing", synthetic{n: 1000000, workers: 16, failEvery: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if testing.Short() && tt.run.n > MaxBars {
				t.Skip("a million items: not with -short")
			}
			n := pageBytes(t, tt.run.page())
			t.Logf("%d items on %d workers: %d bytes", tt.run.n, tt.run.workers, n)
			if n > MaxPageBytes {
				t.Errorf("the page takes %d bytes, more than MaxPageBytes (%d)", n, MaxPageBytes)
			}
		})
	}
}

// BenchmarkPageOfAMillionItems measures building and writing the page of
// a run of a million items (the reading of the JSON aside).
func BenchmarkPageOfAMillionItems(b *testing.B) {
	run := synthetic{n: 1000000, workers: 16, failEvery: 100}
	for b.Loop() {
		pageBytes(b, run.page())
	}
}
