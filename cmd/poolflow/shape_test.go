package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The documented shapes of the report (spec.md §9.6) and of the JSON
// lines of `run --format json` (spec.md §9.5): the exact keys of each
// object.
var (
	reportKeys = []string{"pipeline", "file", "started", "ended", "duration_ms", "params", "exit_status",
		"outcome", "error", "totals", "stages", "output", "callback_failures", "retired_workers", "items"}
	totalsKeys      = []string{"items", "ok", "skipped", "failed", "cancelled", "not_started", "unread", "retried", "fallbacks"}
	stageKeys       = []string{"stage", "runs", "p50_ms", "p95_ms", "max_ms"}
	itemKeys        = []string{"index", "item", "status", "worker", "attempts"}
	attemptKeys     = []string{"duration_ms", "error"}
	reportErrorKeys = []string{"kind", "message", "stage", "step", "position", "index", "attempt", "worker", "code", "stderr"}

	lineErrorKeys = []string{"type", "file", "line", "column", "severity", "code", "kind", "message", "headline",
		"stage", "step", "item", "index", "attempt", "attempts", "worker", "policy", "command", "exit_code",
		"stderr", "stack", "values"}
	lineKeys = map[string][]string{
		"diagnostic": {"type", "file", "line", "column", "severity", "code", "message", "hint"},
		"log":        {"type", "message"},
		"retry":      append(slices.Clone(lineErrorKeys), "wait_ms"),
		"skipped":    lineErrorKeys,
		"error":      lineErrorKeys,
		"summary": {"type", "ok", "skipped", "failed", "cancelled", "not_started", "unread", "retried", "fallbacks",
			"elapsed_ms", "stages", "slowest", "output"},
	}

	statuses = []string{"ok", "skipped", "failed", "cancelled", "not-started"}
	kinds    = []string{"expr", "assert", "exit", "timeout", "panic", "fail", "cancelled", "init", "callback",
		"source", "output", "interrupted", "limit"}
	outcomes = map[string][]int64{"succeeded": {0}, "failed": {1}, "interrupted": {129, 130, 131, 141, 143}}
	position = regexp.MustCompile(`^.+:[1-9][0-9]*:[1-9][0-9]*$`)
)

// shape collects what is wrong with a decoded JSON value.
type shape struct{ problems []string }

func (s *shape) errorf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// keys checks that obj is an object with exactly the keys want.
func (s *shape) keys(where string, v any, want []string) map[string]any {
	obj, ok := v.(map[string]any)
	if !ok {
		s.errorf("%s: not an object: %v", where, v)
		return map[string]any{}
	}
	var got []string
	for k := range obj {
		got = append(got, k)
	}
	sort.Strings(got)
	w := slices.Sorted(slices.Values(want))
	if !slices.Equal(got, w) {
		s.errorf("%s: keys %q, want %q", where, got, w)
	}
	return obj
}

func (s *shape) str(where string, v any) string {
	x, ok := v.(string)
	if !ok {
		s.errorf("%s: not a string: %v", where, v)
	}
	return x
}

// integer checks an integer of at least lo.
func (s *shape) integer(where string, v any, lo int64) int64 {
	n, ok := v.(json.Number)
	i, err := n.Int64()
	if !ok || err != nil {
		s.errorf("%s: not an integer: %v", where, v)
		return 0
	}
	if i < lo {
		s.errorf("%s: %d, want at least %d", where, i, lo)
	}
	return i
}

// number checks a number that is not negative.
func (s *shape) number(where string, v any) {
	n, ok := v.(json.Number)
	f, err := n.Float64()
	if !ok || err != nil || f < 0 {
		s.errorf("%s: not a number ≥ 0: %v", where, v)
	}
}

func (s *shape) list(where string, v any) []any {
	l, ok := v.([]any)
	if !ok {
		s.errorf("%s: not a list: %v", where, v)
	}
	return l
}

func (s *shape) oneOf(where, got string, want []string) {
	if !slices.Contains(want, got) {
		s.errorf("%s: %q, want one of %q", where, got, want)
	}
}

func (s *shape) time(where string, v any) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s.str(where, v))
	if err != nil {
		s.errorf("%s: not an RFC 3339 time: %v", where, err)
	}
	return t
}

// reportProblems lists what is wrong with a decoded report.
func reportProblems(v any) []string {
	var s shape
	r := s.keys("report", v, reportKeys)
	s.str("pipeline", r["pipeline"])
	s.str("file", r["file"])
	if started, ended := s.time("started", r["started"]), s.time("ended", r["ended"]); ended.Before(started) {
		s.errorf("ended %s is before started %s", ended, started)
	}
	s.number("duration_ms", r["duration_ms"])
	if _, ok := r["params"].(map[string]any); !ok {
		s.errorf("params: not an object: %v", r["params"])
	}
	s.str("output", r["output"])
	for i, st := range s.list("stages", r["stages"]) {
		s.stage(fmt.Sprintf("stages[%d]", i), st)
	}
	for _, name := range []string{"callback_failures", "retired_workers"} {
		for i, e := range s.list(name, r[name]) {
			s.reportError(fmt.Sprintf("%s[%d]", name, i), e)
		}
	}
	s.outcome(r)
	s.totals(r["totals"], s.items(r["items"]))
	return s.problems
}

func (s *shape) stage(where string, v any) {
	st := s.keys(where, v, stageKeys)
	s.str(where+".stage", st["stage"])
	s.integer(where+".runs", st["runs"], 1)
	for _, k := range []string{"p50_ms", "p95_ms", "max_ms"} {
		s.number(where+"."+k, st[k])
	}
}

// outcome checks that outcome, exit_status and error agree.
func (s *shape) outcome(r map[string]any) {
	outcome := s.str("outcome", r["outcome"])
	codes, ok := outcomes[outcome]
	if !ok {
		s.errorf("outcome: %q, want succeeded, failed or interrupted", outcome)
	}
	code := s.integer("exit_status", r["exit_status"], 0)
	if ok && !slices.Contains(codes, code) {
		s.errorf("exit_status %d with outcome %q, want one of %v", code, outcome, codes)
	}
	switch {
	case outcome == "succeeded" && r["error"] != nil:
		s.errorf("error: %v with outcome succeeded, want null", r["error"])
	case outcome != "succeeded" && r["error"] == nil:
		s.errorf("error: null with outcome %q", outcome)
	case r["error"] != nil:
		e := s.reportError("error", r["error"])
		if outcome == "interrupted" && e["kind"] != "interrupted" {
			s.errorf("error.kind %v with outcome interrupted", e["kind"])
		}
	}
}

func (s *shape) reportError(where string, v any) map[string]any {
	e := s.keys(where, v, reportErrorKeys)
	s.oneOf(where+".kind", s.str(where+".kind", e["kind"]), kinds)
	s.str(where+".message", e["message"])
	s.str(where+".stage", e["stage"])
	s.str(where+".step", e["step"])
	if p := s.str(where+".position", e["position"]); p != "" && !position.MatchString(p) {
		s.errorf("%s.position: %q, want FILE:LINE:COL", where, p)
	}
	s.integer(where+".index", e["index"], -1)
	s.integer(where+".attempt", e["attempt"], 0)
	s.integer(where+".worker", e["worker"], -1)
	s.integer(where+".code", e["code"], -1)
	s.str(where+".stderr", e["stderr"])
	return e
}

// items checks every item and returns the count of each status, "retried"
// (items with more than one attempt) and "items".
func (s *shape) items(v any) map[string]int64 {
	n := map[string]int64{}
	for i, x := range s.list("items", v) {
		where := fmt.Sprintf("items[%d]", i)
		it := s.keys(where, x, itemKeys)
		if idx := s.integer(where+".index", it["index"], 0); idx != int64(i) {
			s.errorf("%s.index: %d, want the items by index", where, idx)
		}
		if text := s.str(where+".item", it["item"]); utf8.RuneCountInString(text) > 200 {
			s.errorf("%s.item: %d characters, want at most 200", where, utf8.RuneCountInString(text))
		}
		status := s.str(where+".status", it["status"])
		s.oneOf(where+".status", status, statuses)
		worker := s.integer(where+".worker", it["worker"], -1)
		attempts := s.list(where+".attempts", it["attempts"])
		s.attempts(where, status, int64(i), attempts)
		if (status == "not-started") != (worker == -1) {
			s.errorf("%s: status %q with worker %d; worker is -1 exactly when never started", where, status, worker)
		}
		n[status]++
		n["items"]++
		if len(attempts) > 1 {
			n["retried"]++
		}
	}
	return n
}

// attempts checks an item's attempts: none when it never started; else
// numbered from 1, every one failed but an ok item's last.
func (s *shape) attempts(where, status string, index int64, attempts []any) {
	if (status == "not-started") != (len(attempts) == 0) {
		s.errorf("%s: status %q with %d attempts", where, status, len(attempts))
	}
	for j, a := range attempts {
		aw := fmt.Sprintf("%s.attempts[%d]", where, j)
		at := s.keys(aw, a, attemptKeys)
		s.number(aw+".duration_ms", at["duration_ms"])
		last := j == len(attempts)-1
		if at["error"] == nil {
			if !last || status != "ok" {
				s.errorf("%s.error: null, but only the last attempt of an ok item succeeded", aw)
			}
			continue
		}
		if last && status == "ok" {
			s.errorf("%s.error: the attempt that succeeded has an error", aw)
		}
		e := s.reportError(aw+".error", at["error"])
		if got := e["attempt"]; got != json.Number(fmt.Sprint(j+1)) {
			s.errorf("%s.error.attempt: %v, want %d", aw, got, j+1)
		}
		if got := e["index"]; got != json.Number(fmt.Sprint(index)) {
			s.errorf("%s.error.index: %v, want %d", aw, got, index)
		}
	}
}

// totals checks the totals against the items. The items list only those
// read from the source; totals also count the items never read when the
// source knows how many it has.
func (s *shape) totals(v any, counted map[string]int64) {
	t := s.keys("totals", v, totalsKeys)
	for _, k := range totalsKeys {
		want := counted[k]
		switch k {
		case "unread":
			if _, ok := t[k].(bool); !ok {
				s.errorf("totals.unread: %v, want true or false", t[k])
			}
			continue
		case "not_started", "items":
			listed := counted["not-started"]
			if k == "items" {
				listed = counted["items"]
			}
			if got := s.integer("totals."+k, t[k], 0); got < listed {
				s.errorf("totals.%s: %d, but the items list %d", k, got, listed)
			}
			continue
		case "fallbacks":
			if f := s.integer("totals.fallbacks", t[k], 0); f > counted["skipped"] {
				s.errorf("totals.fallbacks %d is more than the %d skipped items", f, counted["skipped"])
			}
			continue
		}
		if got := s.integer("totals."+k, t[k], 0); got != want {
			s.errorf("totals.%s: %d, but the items say %d", k, got, want)
		}
	}
}

// lineProblems lists what is wrong with one JSON line of run --format json.
func lineProblems(obj map[string]any) []string {
	var s shape
	typ, _ := obj["type"].(string)
	want, ok := lineKeys[typ]
	if !ok {
		return []string{fmt.Sprintf("type %q, want one of diagnostic, log, retry, skipped, error, summary", typ)}
	}
	s.keys("object", obj, want)
	switch typ {
	case "retry", "skipped", "error":
		s.lineError(obj, typ)
	case "summary":
		for _, k := range []string{"ok", "skipped", "failed", "cancelled", "not_started", "retried", "fallbacks"} {
			s.integer(k, obj[k], 0)
		}
		s.number("elapsed_ms", obj["elapsed_ms"])
		s.str("output", obj["output"])
		for i, st := range s.list("stages", obj["stages"]) {
			s.stage(fmt.Sprintf("stages[%d]", i), st)
		}
		s.list("slowest", obj["slowest"])
	case "log":
		s.str("message", obj["message"])
	}
	return s.problems
}

func (s *shape) lineError(obj map[string]any, typ string) {
	s.oneOf("kind", s.str("kind", obj["kind"]), kinds)
	severity := map[bool]string{true: "warning", false: "error"}[typ == "skipped"]
	if got := s.str("severity", obj["severity"]); got != severity {
		s.errorf("severity: %q, want %q", got, severity)
	}
	for _, k := range []string{"file", "message", "headline", "stage", "step", "policy", "command", "stderr", "stack"} {
		s.str(k, obj[k])
	}
	s.integer("line", obj["line"], 0)
	s.integer("column", obj["column"], 0)
	if typ == "retry" {
		s.number("wait_ms", obj["wait_ms"])
	}
	if headline := s.str("headline", obj["headline"]); strings.Contains(headline, "\n") {
		s.errorf("headline: more than one line")
	}
}

// validReport is a small report of the documented shape: one item ok
// after a retry, one skipped, one never started.
const validReport = `{
  "pipeline": "p", "file": "p.yaml",
  "started": "2026-01-02T03:04:05.123Z", "ended": "2026-01-02T03:04:06Z", "duration_ms": 877,
  "params": {"n": 1}, "exit_status": 0, "outcome": "succeeded", "error": null,
  "totals": {"items": 3, "ok": 1, "skipped": 1, "failed": 0, "cancelled": 0, "not_started": 1, "unread": false, "retried": 1, "fallbacks": 1},
  "stages": [{"stage": "map", "runs": 2, "p50_ms": 1.5, "p95_ms": 2, "max_ms": 2}],
  "output": "-", "callback_failures": [], "retired_workers": [],
  "items": [
    {"index": 0, "item": "a", "status": "ok", "worker": 0, "attempts": [
      {"duration_ms": 1, "error": {"kind": "exit", "message": "exit status 1", "stage": "map", "step": "s", "position": "p.yaml:7:7", "index": 0, "attempt": 1, "worker": 0, "code": 1, "stderr": "x"}},
      {"duration_ms": 1, "error": null}]},
    {"index": 1, "item": "b", "status": "skipped", "worker": 1, "attempts": [
      {"duration_ms": 2, "error": {"kind": "fail", "message": "no", "stage": "map", "step": "s", "position": "p.yaml:7:7", "index": 1, "attempt": 1, "worker": 1, "code": 0, "stderr": ""}}]},
    {"index": 2, "item": "c", "status": "not-started", "worker": -1, "attempts": []}
  ]
}`

// TestReportProblems checks the checker behind `reportshape`: it accepts
// the documented shape and names what is wrong with a broken one.
func TestReportProblems(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"valid", "", "", ""},
		{"extra key", `"output": "-",`, `"output": "-", "extra": 1,`, "report: keys"},
		{"missing totals key", `"fallbacks": 1}`, `"fallbacks2": 1}`, "totals: keys"},
		{"unknown status", `"status": "skipped"`, `"status": "dropped"`, `items[1].status: "dropped"`},
		{"totals disagree", `"ok": 1,`, `"ok": 2,`, "totals.ok: 2, but the items say 1"},
		{"retried disagree", `"retried": 1`, `"retried": 0`, "totals.retried: 0, but the items say 1"},
		{"outcome and exit status", `"exit_status": 0`, `"exit_status": 1`, "exit_status 1 with outcome"},
		{"not an integer", `"worker": -1`, `"worker": -1.5`, "items[2].worker: not an integer"},
		{"worker of a started item", `"worker": 1,`, `"worker": -1,`, "worker is -1 exactly when never started"},
		{"bad position", `"position": "p.yaml:7:7", "index": 1`, `"position": "p.yaml", "index": 1`, "want FILE:LINE:COL"},
		{"unknown kind", `"kind": "fail"`, `"kind": "oops"`, `.kind: "oops"`},
		{"attempt numbers", `"attempt": 1, "worker": 1`, `"attempt": 2, "worker": 1`, "error.attempt: 2, want 1"},
		{"items out of order", `"index": 2, "item": "c"`, `"index": 5, "item": "c"`, "want the items by index"},
		{"error of a success", `"outcome": "succeeded", "error": null`, `"outcome": "succeeded", "error": {}`, "with outcome succeeded"},
		{"bad time", `"2026-01-02T03:04:06Z"`, `"yesterday"`, "ended: not an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(validReport, tt.old, tt.new, 1)
			if text == validReport && tt.old != "" {
				t.Fatalf("%q is not in the report", tt.old)
			}
			var v any
			if err := decodeJSON([]byte(text), &v); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(reportProblems(v), "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("problems:\n%s\nwant one with %q", got, tt.want)
			}
		})
	}
}
