package present

import (
	"testing"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// fedJournal is a Journal told of a run through its observer methods,
// with fixed durations: two workers' initializers, seven items (one
// skipped after a retry, one cancelled), and a result callback per ok item.
func fedJournal() *runtime.Tally {
	j := runtime.NewTally()
	j.RunStarted(8)
	for w, d := range []time.Duration{3 * time.Millisecond, 5 * time.Millisecond} {
		j.StageFinished(runtime.StageRecord{Stage: "initializer", Worker: w, Index: -1, Duration: d})
	}
	items := []struct {
		item   any
		status runtime.Status
		d      time.Duration
	}{
		{"a.csv", runtime.StatusOK, 120 * time.Millisecond},
		{"b.csv", runtime.StatusOK, 1500 * time.Millisecond},
		{"c.csv", runtime.StatusSkipped, 2 * time.Second},
		{"d.csv", runtime.StatusOK, 80 * time.Millisecond},
		{42, runtime.StatusOK, 950 * time.Millisecond},
		{"a very long file name that goes on and on and on well past sixty characters.csv", runtime.StatusOK, 700 * time.Millisecond},
		{"g.csv", runtime.StatusCancelled, 30 * time.Second}, // cancelled: not timed
	}
	for i, it := range items {
		j.ItemStarted(i, it.item, i%2)
		if it.status == runtime.StatusSkipped {
			j.Retrying(&runtime.Error{Subject: runtime.Subject{Index: i}}, 100*time.Millisecond)
		}
		j.ItemFinished(runtime.ItemRecord{Index: i, Item: it.item, Worker: i % 2, Status: it.status, Duration: it.d})
		if it.status == runtime.StatusOK {
			j.StageFinished(runtime.StageRecord{Stage: "callbacks.result", Worker: -1, Index: i, Duration: 250 * time.Microsecond})
		}
	}
	j.ItemNotStarted(7, "h.csv")
	return j
}

// TestSummaryText compares the whole summary: the counts and wall time,
// each stage's runs and p50, p95 and max, the five slowest items shortly
// shown, and where the output went. Quantiles come from a log-scale
// histogram and are within 2% (3ms shows as 3.04ms, 700ms as 705ms); the
// maximum is exact; a cancelled item is not timed.
func TestSummaryText(t *testing.T) {
	j := fedJournal()
	sum := &runtime.Summary{
		Stats:  dsl.Stats{Total: 6, OK: 5, Skipped: 1, Retried: 1, Elapsed: 3*time.Second + 456789*time.Microsecond},
		Failed: 0, Cancelled: 1, NotStarted: 1, Output: "out/shipments.csv",
	}
	want := `5 ok, 1 skipped, 0 failed, 1 cancelled, 1 not started; 1 retried; 3.46s
  stage                 runs       p50       p95       max
  initializer              2    3.04ms       5ms       5ms
  map                      6     705ms        2s        2s
  callbacks.result         5     250µs     250µs     250µs
  slowest: item 2 "c.csv" 2s, item 1 "b.csv" 1.5s, item 4 (42) 950ms, item 5 "a very long file name that goes on and on and on well p..." 700ms, item 0 "a.csv" 120ms
  output: out/shipments.csv
`
	if got := SummaryText(sum, j); got != want {
		t.Errorf("SummaryText:\n%s\nwant:\n%s", got, want)
	}
}

// TestSummaryTextShort: no stage table when nothing ran, no slowest line
// for a single item, and standard output named as such.
func TestSummaryTextShort(t *testing.T) {
	empty := runtime.NewTally()
	sum := &runtime.Summary{Stats: dsl.Stats{Elapsed: 1234 * time.Microsecond}}
	if got, want := SummaryText(sum, empty), "0 ok, 0 skipped, 0 failed, 0 cancelled, 0 not started; 0 retried; 1.23ms\n"; got != want {
		t.Errorf("empty run: %q, want %q", got, want)
	}
	one := runtime.NewTally()
	one.RunStarted(1)
	one.ItemStarted(0, "x", 0)
	one.ItemFinished(runtime.ItemRecord{Index: 0, Item: "x", Status: runtime.StatusOK, Duration: 15 * time.Millisecond})
	sum = &runtime.Summary{Stats: dsl.Stats{Total: 1, OK: 1, Elapsed: 16 * time.Millisecond}, Output: "-"}
	want := `1 ok, 0 skipped, 0 failed, 0 cancelled, 0 not started; 0 retried; 16ms
  stage                 runs       p50       p95       max
  map                      1      15ms      15ms      15ms
  output: standard output
`
	if got := SummaryText(sum, one); got != want {
		t.Errorf("one item:\n%s\nwant:\n%s", got, want)
	}
}

// TestShort checks the three significant digits of summary durations.
func TestShort(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Nanosecond, "1µs"},
		{1234 * time.Nanosecond, "1µs"},
		{1234567 * time.Nanosecond, "1.23ms"},
		{12345678 * time.Nanosecond, "12.3ms"},
		{123456789 * time.Nanosecond, "123ms"},
		{1234567890 * time.Nanosecond, "1.23s"},
		{12345678901 * time.Nanosecond, "12.3s"},
		{123456789012 * time.Nanosecond, "2m3s"},
	}
	for _, tt := range tests {
		if got := short(tt.d); got != tt.want {
			t.Errorf("short(%d) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
