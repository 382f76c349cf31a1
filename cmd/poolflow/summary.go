package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/poolflow/poolflow/runtime"
)

// summaryText is the end-of-run summary: counts, wall time, per-stage
// durations, the slowest items, and where the output went.
func summaryText(s *runtime.Summary, j *runtime.Journal) string {
	var b strings.Builder
	st := s.Stats
	unread := ""
	if s.Unread {
		unread = " (and the rest of the source, not read)"
	}
	fmt.Fprintf(&b, "%d ok, %d skipped, %d failed, %d cancelled, %d not started%s; %d retried; %s\n",
		st.OK, st.Skipped, s.Failed, s.Cancelled, s.NotStarted, unread, st.Retried, short(st.Elapsed))
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
	switch s.Output {
	case "":
	case "-":
		b.WriteString("  output: standard output\n")
	default:
		fmt.Fprintf(&b, "  output: %s\n", relative(s.Output))
	}
	return b.String()
}

// relative shows a path from the working directory when it is below it.
func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
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

// summaryJSON is the summary as one JSON object.
func summaryJSON(s *runtime.Summary, j *runtime.Journal) map[string]any {
	st := s.Stats
	stages := []map[string]any{}
	for _, x := range j.StageStats() {
		stages = append(stages, map[string]any{"stage": x.Stage, "runs": x.Count,
			"p50_ms": ms(x.P50), "p95_ms": ms(x.P95), "max_ms": ms(x.Max)})
	}
	slowest := []map[string]any{}
	for _, it := range j.Slowest() {
		slowest = append(slowest, map[string]any{"index": it.Index, "item": runtime.ItemText(it.Item), "duration_ms": ms(it.Duration)})
	}
	return map[string]any{"type": "summary", "ok": st.OK, "skipped": st.Skipped, "failed": s.Failed,
		"cancelled": s.Cancelled, "not_started": s.NotStarted, "unread": s.Unread, "retried": st.Retried, "fallbacks": st.Fallbacks,
		"elapsed_ms": ms(st.Elapsed), "stages": stages, "slowest": slowest, "output": s.Output}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
