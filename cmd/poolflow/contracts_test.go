package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/poolflow/poolflow/present"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The JSON poolflow writes is checked against its published schemas,
// schema/report.schema.json and schema/events.schema.json (spec.md §9.5,
// §9.6), which are generated from package present's types and kept
// current by TestSchemaFilesAreCurrent; what a schema cannot say (totals
// agree with items, outcome with exit status) is checked here by hand.

var (
	schemasOnce               sync.Once
	reportSchema, eventSchema *jsonschema.Schema
	schemasErr                error
)

// schemas compiles the checked-in schemas once.
func schemas() (report, events *jsonschema.Schema, err error) {
	schemasOnce.Do(func() {
		reportSchema, schemasErr = compileSchemaFile("report.schema.json")
		if schemasErr == nil {
			eventSchema, schemasErr = compileSchemaFile("events.schema.json")
		}
	})
	return reportSchema, eventSchema, schemasErr
}

func compileSchemaFile(name string) (*jsonschema.Schema, error) {
	f, err := os.Open(filepath.Join(repoRoot(), "schema", name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		return nil, err
	}
	return c.Compile(name)
}

// repoRoot is the repository's root, from this package's folder.
func repoRoot() string {
	root, _ := filepath.Abs("../..")
	return root
}

// validateJSON checks one JSON value against a schema.
func validateJSON(s *jsonschema.Schema, text []byte) []string {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return []string{err.Error()}
	}
	if err := s.Validate(v); err != nil {
		return []string{err.Error()}
	}
	return nil
}

// reportProblems lists what is wrong with a report: against its schema,
// then what the schema cannot say.
func reportProblems(text []byte) []string {
	rs, _, err := schemas()
	if err != nil {
		return []string{err.Error()}
	}
	if p := validateJSON(rs, text); p != nil {
		return p
	}
	var r present.Report
	if err := json.Unmarshal(text, &r); err != nil {
		return []string{err.Error()}
	}
	return append(append(outcomeProblems(&r), stageProblems(&r)...), itemProblems(&r)...)
}

// stageProblems checks that each stage's histogram counts its runs.
func stageProblems(r *present.Report) []string {
	var out []string
	for _, s := range r.Stages {
		var n int64
		for _, b := range s.Histogram {
			n += b.Count
		}
		if n != s.Runs {
			out = append(out, fmt.Sprintf("stage %s: %d runs, %d in its histogram", s.Stage, s.Runs, n))
		}
	}
	return out
}

// outcomes are the exit statuses each outcome goes with.
var outcomes = map[string][]int{"succeeded": {0}, "failed": {1}, "interrupted": {129, 130, 131, 141, 143}}

func outcomeProblems(r *present.Report) []string {
	var out []string
	if !slices.Contains(outcomes[r.Outcome], r.ExitStatus) {
		out = append(out, fmt.Sprintf("exit_status %d with outcome %q, want one of %v", r.ExitStatus, r.Outcome, outcomes[r.Outcome]))
	}
	if (r.EndedBy == nil) != (r.Outcome == "succeeded") {
		out = append(out, fmt.Sprintf("ended_by with outcome %s: %+v", r.Outcome, r.EndedBy))
	}
	switch {
	case r.Outcome == "succeeded" && r.Error != nil:
		out = append(out, "an error with outcome succeeded")
	case r.Outcome != "succeeded" && r.Error == nil:
		out = append(out, fmt.Sprintf("no error with outcome %q", r.Outcome))
	case r.Outcome == "interrupted" && r.Error.Kind != "interrupted":
		out = append(out, fmt.Sprintf("error.kind %q with outcome interrupted", r.Error.Kind))
	}
	return out
}

// itemProblems checks the items against themselves and the totals: each
// index once; worker -1 exactly when never started, no attempts exactly
// when never started or reused (only ok and skipped items are);
// attempts numbered from 1, each failed but an ok item's last; no more
// items of a status listed than the totals count.
func itemProblems(r *present.Report) []string {
	var out []string
	seen := map[int]bool{}
	count := map[string]int{}
	for i, it := range r.Items {
		where := fmt.Sprintf("items[%d]", i)
		if seen[it.Index] {
			out = append(out, fmt.Sprintf("%s: index %d listed twice", where, it.Index))
		}
		seen[it.Index] = true
		count[it.Status]++
		never := it.Status == "not-started"
		if never != (it.Worker == -1) || (never || it.Reused) != (len(it.Attempts) == 0) {
			out = append(out, fmt.Sprintf("%s: status %q, worker %d, %d attempts", where, it.Status, it.Worker, len(it.Attempts)))
		}
		if it.Reused {
			count["reused"]++
			if it.Status != "ok" && it.Status != "skipped" {
				out = append(out, fmt.Sprintf("%s: reused with status %q", where, it.Status))
			}
		}
		if it.Worker >= len(r.Workers) {
			out = append(out, fmt.Sprintf("%s: worker %d of %d", where, it.Worker, len(r.Workers)))
		}
		out = append(out, timeProblems(r, where, it.Attempts)...)
		for j, a := range it.Attempts {
			last := j == len(it.Attempts)-1
			switch {
			case a.Error == nil && !(last && it.Status == "ok"):
				out = append(out, fmt.Sprintf("%s.attempts[%d]: no error, but only an ok item's last attempt succeeds", where, j))
			case a.Error != nil && last && it.Status == "ok":
				out = append(out, fmt.Sprintf("%s.attempts[%d]: the attempt that succeeded has an error", where, j))
			case a.Error != nil && (a.Error.Attempt != j+1 || a.Error.Index != it.Index):
				out = append(out, fmt.Sprintf("%s.attempts[%d]: error of attempt %d, item %d", where, j, a.Error.Attempt, a.Error.Index))
			}
		}
	}
	t := r.Totals
	for status, total := range map[string]int{"ok": t.OK, "skipped": t.Skipped, "failed": t.Failed, "cancelled": t.Cancelled, "not-started": t.NotStarted, "reused": t.Reused} {
		if count[status] > total {
			out = append(out, fmt.Sprintf("%d items %s, but totals count %d", count[status], status, total))
		}
	}
	if len(r.Items) > t.Items || t.Items != t.OK+t.Skipped+t.Failed+t.Cancelled+t.NotStarted {
		out = append(out, fmt.Sprintf("totals.items %d does not add up, with %d listed", t.Items, len(r.Items)))
	}
	return out
}

// timeProblems checks an item's attempts against each other and the
// run: each starts after the previous one ended and ends within the run
// (to the microsecond the report rounds to).
func timeProblems(r *present.Report, where string, attempts []present.AttemptJSON) []string {
	const rounding = 0.002
	var out []string
	prevEnd := 0.0
	for j, a := range attempts {
		end := a.StartedMS + a.DurationMS
		switch {
		case a.StartedMS < prevEnd-rounding:
			out = append(out, fmt.Sprintf("%s.attempts[%d]: starts at %gms, before attempt %d ended at %gms", where, j, a.StartedMS, j, prevEnd))
		case end > r.DurationMS+rounding:
			out = append(out, fmt.Sprintf("%s.attempts[%d]: ends at %gms, after the run's %gms", where, j, end, r.DurationMS))
		}
		prevEnd = end
	}
	return out
}

// lineProblems lists what is wrong with one JSON line of run --format json.
func lineProblems(text []byte) []string {
	_, es, err := schemas()
	if err != nil {
		return []string{err.Error()}
	}
	return validateJSON(es, text)
}

// TestSchemaFilesAreCurrent keeps the checked-in schemas equal to what
// `poolflow schema --report` and `--events` print; -update rewrites them.
func TestSchemaFilesAreCurrent(t *testing.T) {
	for name, flag := range map[string]string{"report.schema.json": "--report", "events.schema.json": "--events", "tests.schema.json": "--tests"} {
		var out, errs bytes.Buffer
		if code := Main([]string{"schema", flag}, &out, &errs); code != 0 {
			t.Fatalf("schema %s: exit %d: %s", flag, code, errs.String())
		}
		path := filepath.Join(repoRoot(), "schema", name)
		if *update {
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, out.Bytes()) {
			t.Errorf("schema/%s is stale (%v); run go test ./cmd/poolflow -run TestSchemaFilesAreCurrent -update", name, err)
		}
	}
}

// validReport is a small report of the published shape: one item ok
// after a retry, one skipped, one never started.
const validReport = `{
  "pipeline": "p", "file": "p.yaml",
  "started": "2026-01-02T03:04:05.123Z", "ended": "2026-01-02T03:04:06Z", "duration_ms": 877,
  "params": {"n": 1}, "exit_status": 0, "outcome": "succeeded", "error": null,
  "totals": {"items": 3, "ok": 1, "skipped": 1, "failed": 0, "cancelled": 0, "not_started": 1, "unread": false, "reused": 0, "retried": 1, "fallbacks": 1, "callback_failures": 0},
  "ended_by": null,
  "stages": [{"stage": "map", "runs": 2, "p50_ms": 1.5, "p95_ms": 2, "max_ms": 2,
    "histogram": [{"up_to_ms": 1, "count": 0}, {"up_to_ms": 2, "count": 2}]}],
  "output": "-", "callback_failures": [], "retired_workers": [],
  "workers": [{"worker": 0, "initializer": null},
    {"worker": 1, "initializer": {"started_ms": 0.5, "duration_ms": 1, "status": "ok", "error": null}}],
  "source": "version: 1\n",
  "items": [
    {"index": 0, "item": "a", "status": "ok", "worker": 0, "reused": false, "attempts": [
      {"started_ms": 1, "duration_ms": 1, "error": ` + attemptError + `},
      {"started_ms": 12, "duration_ms": 1, "error": null}]},
    {"index": 1, "item": "b", "status": "skipped", "worker": 1, "reused": false, "attempts": [
      {"started_ms": 2, "duration_ms": 2, "error": ` + skipError + `}]},
    {"index": 2, "item": "c", "status": "not-started", "worker": -1, "reused": false, "attempts": []}
  ]
}`

const attemptError = `{"kind": "exit", "message": "exit status 1", "headline": "map/s: item 0 \"a\" failed",
  "stage": "map", "step": "s", "item": "a", "index": 0, "worker": 0, "attempt": 1, "attempts": 2, "policy": "",
  "position": "p.yaml:7:7", "file": "p.yaml", "line": 7, "column": 7, "end_line": 7, "end_column": 8,
  "causes": [], "expression": "", "values": [], "command": ["/bin/sh", "-c", "exit 1"], "code": 1, "stderr": "x",
  "stack": [], "notes": [], "cell": null, "injected": false}`

const skipError = `{"kind": "fail", "message": "no", "headline": "map/s: item 1 \"b\" failed (skip)",
  "stage": "map", "step": "s", "item": "b", "index": 1, "worker": 1, "attempt": 1, "attempts": 1, "policy": "skip",
  "position": "p.yaml:7:7", "file": "p.yaml", "line": 7, "column": 7, "end_line": 7, "end_column": 10,
  "causes": [], "expression": "", "values": [{"name": "item", "value": "\"b\""}], "command": [], "code": 0, "stderr": "",
  "stack": [], "notes": [{"message": "fallback failed, so the item has no result: x", "position": "p.yaml:9:15",
  "file": "p.yaml", "line": 9, "column": 15, "end_line": 9, "end_column": 17}], "cell": null, "injected": false}`

// TestReportProblems checks the checker behind `reportshape`: it accepts
// the published shape and names what is wrong with a broken one.
func TestReportProblems(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"valid", "", "", ""},
		{"extra key", `"output": "-",`, `"output": "-", "extra": 1,`, "additional properties 'extra' not allowed"},
		{"missing totals key", `"fallbacks": 1,`, `"fallbacks2": 1,`, "missing property 'fallbacks'"},
		{"unknown status", `"status": "skipped"`, `"status": "dropped"`, "/items/1/status"},
		{"unknown kind", `"kind": "fail"`, `"kind": "oops"`, "/kind"},
		{"not an integer", `"worker": -1,`, `"worker": -1.5,`, "/items/2/worker"},
		{"bad time", `"2026-01-02T03:04:06Z"`, `"yesterday"`, "/ended"},
		{"totals disagree", `"ok": 1,`, `"ok": 0,`, "1 items ok, but totals count 0"},
		{"outcome and exit status", `"exit_status": 0`, `"exit_status": 1`, "exit_status 1 with outcome"},
		{"worker of a started item", `"worker": 1, "reused"`, `"worker": -1, "reused"`, `items[1]: status "skipped", worker -1`},
		{"attempt numbers", `"attempt": 1, "attempts": 2`, `"attempt": 2, "attempts": 2`, "error of attempt 2"},
		{"an index twice", `"index": 2, "item": "c"`, `"index": 1, "item": "c"`, "index 1 listed twice"},
		{"histogram", `{"up_to_ms": 2, "count": 2}`, `{"up_to_ms": 2, "count": 1}`, "stage map: 2 runs, 1 in its histogram"},
		{"attempts overlap", `"started_ms": 12,`, `"started_ms": 1.5,`, "items[0].attempts[1]: starts at 1.5ms, before attempt 1 ended at 2ms"},
		{"attempt after the run", `"started_ms": 12,`, `"started_ms": 877,`, "items[0].attempts[1]: ends at 878ms, after the run's 877ms"},
		{"unknown worker", `"worker": 1, "reused"`, `"worker": 2, "reused"`, "items[1]: worker 2 of 2"},
		{"ended_by of a success", `"ended_by": null`, `"ended_by": {"at_ms": 3, "reason": "abort"}`, "ended_by with outcome succeeded"},
		{"error of a success", `"outcome": "succeeded", "error": null`, `"outcome": "succeeded", "error": ` + skipError, "an error with outcome succeeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(validReport, tt.old, tt.new, 1)
			if text == validReport && tt.old != "" {
				t.Fatalf("%q is not in the report", tt.old)
			}
			got := strings.Join(reportProblems([]byte(text)), "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("problems:\n%s\nwant one with %q", got, tt.want)
			}
		})
	}
}

// TestTestLinesMatchSchema: every line of poolflow test --format json, of
// a passing and a failing test, validates against schema/tests.schema.json.
func TestTestLinesMatchSchema(t *testing.T) {
	sch, err := compileSchemaFile("tests.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "p.yaml")
	src := "version: 1\nname: p\nitems: [1, 2]\nmap:\n  steps: [{expr: item * 2}]\noutput: {to: \"-\"}\n" +
		"tests:\n  - name: good\n    expect: {output: [2, 4]}\n  - name: bad\n    expect: {status: 1, output: [2]}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain("test", "--format", "json", file)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitFailed || len(lines) != 2 || stderr != "" {
		t.Fatalf("exit %d, %d lines, stderr %q; want 1, 2 lines, none:\n%s", code, len(lines), stderr, stdout)
	}
	for _, line := range lines {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %v", line, err)
		}
	}
}
