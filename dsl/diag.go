package dsl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a Diagnostic stops the pipeline from running.
type Severity int

const (
	// SeverityError makes the pipeline invalid.
	SeverityError Severity = iota
	// SeverityWarning is reported but does not stop a run (unless --strict).
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a pipeline file.
type Diagnostic struct {
	Pos      Pos
	Span     int // characters to underline from Pos.Col; 0 or 1 means one caret
	Severity Severity
	Code     string // stable, machine-readable: "unknown-key", "undefined", ...
	Message  string // lower-case, no trailing period
	Hint     string // optional help, such as `did you mean "steps"?`
}

// String gives the one-line form FILE:LINE:COL: SEVERITY: MESSAGE.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message)
}

// MarshalJSON writes the flat shape `--format json` promises.
func (d Diagnostic) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Severity string `json:"severity"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Hint     string `json:"hint"`
	}{d.Pos.File, d.Pos.Line, d.Pos.Col, d.Severity.String(), d.Code, d.Message, d.Hint})
}

// Diagnostics is a list of problems; as an error it stands for all of them.
type Diagnostics []Diagnostic

// Error lists every diagnostic on its own line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an error, not a warning.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Count returns how many diagnostics have the given severity.
func (ds Diagnostics) Count(s Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// Sort orders the list by file and position, keeping the order of
// diagnostics at the same place.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Before(b)
	})
}

// Err returns ds as an error when it holds an error, else nil.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}
