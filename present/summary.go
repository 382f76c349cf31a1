package present

import (
	"fmt"
	"strings"
	"time"

	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/runtime"
)

// SummaryText is the end-of-run summary: counts, wall time, per-stage
// durations, the slowest items, and where the output went.
func SummaryText(s *runtime.Summary, j *runtime.Tally) string {
	var b strings.Builder
	st := s.Stats
	unread := ""
	if s.Unread {
		unread = " (and the rest of the source, not read)"
	}
	callbacks := ""
	if s.CallbackFailed > 0 {
		callbacks = fmt.Sprintf("%d callback %s; ", s.CallbackFailed, plural(s.CallbackFailed, "failure"))
	}
	reused := ""
	if s.Reused > 0 {
		reused = fmt.Sprintf("%d reused from an earlier run; ", s.Reused)
	}
	fmt.Fprintf(&b, "%d ok, %d skipped, %d failed, %d cancelled, %d not started%s; %s%d retried; %s%s\n",
		st.OK, st.Skipped, s.Failed, s.Cancelled, s.NotStarted, unread, reused, st.Retried, callbacks, short(st.Elapsed))
	if s.Drained {
		b.WriteString("  drained: no item started after the drain began; the running ones finished\n")
	}
	if stages := j.StageStats(); len(stages) > 0 {
		fmt.Fprintf(&b, "  %-18s %7s %9s %9s %9s\n", "stage", "runs", "p50", "p95", "max")
		for _, x := range stages {
			fmt.Fprintf(&b, "  %-18s %7d %9s %9s %9s\n", x.Stage, x.Count, short(x.P50), short(x.P95), short(x.Max))
		}
	}
	if slow := j.Slowest(); len(slow) > 1 {
		parts := make([]string, len(slow))
		for i, it := range slow {
			parts[i] = fmt.Sprintf("item %d %s %s", it.Index, runtime.DisplayItem(it.Item), short(it.Duration))
		}
		fmt.Fprintf(&b, "  slowest: %s\n", strings.Join(parts, ", "))
	}
	if n := j.RanAgain(); n > 0 {
		fmt.Fprintf(&b, "  ran more than once: %d %s, after a worker was lost (steps may have run twice)\n", n, plural(n, "item"))
	}
	switch s.Output {
	case "":
	case "-":
		b.WriteString("  output: standard output\n")
	default:
		fmt.Fprintf(&b, "  output: %s\n", files.Display(s.Output))
	}
	return b.String()
}

// short writes a duration with three significant digits: 1.23s, 45.6ms.
func short(d time.Duration) string {
	switch {
	case d >= 100*time.Second:
		return d.Round(time.Second).String()
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// SummaryEvent is the summary as the last JSON line of a run.
type SummaryEvent struct {
	Type       string      `json:"type" const:"summary"`
	OK         int         `json:"ok"`
	Skipped    int         `json:"skipped"`
	Failed     int         `json:"failed"`
	Cancelled  int         `json:"cancelled"`
	NotStarted int         `json:"not_started"`
	Unread     bool        `json:"unread" doc:"the run ended before the end of a source that does not know its length"`
	Reused     int         `json:"reused" doc:"items not run again: run --resume took their outcome from an earlier run's journal"`
	Retried    int         `json:"retried"`
	Fallbacks  int         `json:"fallbacks"`
	Callbacks  int         `json:"callback_failures" doc:"callback failures their policy skipped"`
	Drained    bool        `json:"drained" doc:"the run drained: it took no new item and let the running ones finish"`
	ElapsedMS  float64     `json:"elapsed_ms"`
	Stages     []StageJSON `json:"stages"`
	Slowest    []SlowJSON  `json:"slowest"`
	Output     string      `json:"output" doc:"-, a path, or empty when nothing was written"`
}

// StageJSON is one stage's duration quantiles.
type StageJSON struct {
	Stage string  `json:"stage"`
	Runs  int64   `json:"runs"`
	P50MS float64 `json:"p50_ms"`
	P95MS float64 `json:"p95_ms"`
	MaxMS float64 `json:"max_ms"`
}

// SlowJSON is one of the slowest items.
type SlowJSON struct {
	Index      int     `json:"index"`
	Item       string  `json:"item"`
	DurationMS float64 `json:"duration_ms"`
}

// Summary is the summary as a JSON line.
func Summary(s *runtime.Summary, j *runtime.Tally) SummaryEvent {
	st := s.Stats
	return SummaryEvent{Type: "summary", OK: st.OK, Skipped: st.Skipped, Failed: s.Failed, Cancelled: s.Cancelled,
		NotStarted: s.NotStarted, Unread: s.Unread, Reused: s.Reused, Retried: st.Retried, Fallbacks: st.Fallbacks, Callbacks: s.CallbackFailed,
		Drained: s.Drained, ElapsedMS: ms(st.Elapsed), Stages: stagesOf(j), Slowest: slowestOf(j), Output: s.Output}
}

func stagesOf(j *runtime.Tally) []StageJSON {
	out := []StageJSON{}
	for _, x := range j.StageStats() {
		out = append(out, StageJSON{Stage: x.Stage, Runs: x.Count, P50MS: ms(x.P50), P95MS: ms(x.P95), MaxMS: ms(x.Max)})
	}
	return out
}

func slowestOf(j *runtime.Tally) []SlowJSON {
	out := []SlowJSON{}
	for _, it := range j.Slowest() {
		out = append(out, SlowJSON{Index: it.Index, Item: runtime.ItemText(it.Item), DurationMS: ms(it.Duration)})
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
