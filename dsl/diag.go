package dsl

import (
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
	// Omitted is, for the line that ends a capped list ("and 250 more
	// errors"), how many diagnostics of its severity it stands for.
	Omitted int
}

// String gives the one-line form FILE:LINE:COL: SEVERITY: MESSAGE.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message)
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

// Count returns how many diagnostics have the given severity, those a
// capped list left out included.
func (ds Diagnostics) Count(s Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity == s {
			n += max(1, d.Omitted)
		}
	}
	return n
}

// Capped keeps the first n errors and the first n warnings of a sorted
// list, and ends it with one line per severity that it cut, "and 250 more
// errors", at the first diagnostic left out: a file with a mistake on
// every line still gets a short, readable answer.
func (ds Diagnostics) Capped(n int) Diagnostics {
	if ds.Count(SeverityError) <= n && ds.Count(SeverityWarning) <= n {
		return ds
	}
	out := make(Diagnostics, 0, 2*n+2)
	var kept [2]int
	var more [2]Diagnostic
	for _, d := range ds {
		sev := d.Severity
		switch m := &more[sev]; {
		case kept[sev] < n:
			out = append(out, d)
			kept[sev]++
		case m.Omitted == 0:
			*m = Diagnostic{Pos: d.Pos, Span: d.Span, Severity: sev, Code: "more", Omitted: 1,
				Hint: fmt.Sprintf("poolflow shows the first %d; fix those and validate again", n)}
		default:
			m.Omitted++
		}
	}
	for _, m := range more {
		if m.Omitted > 0 {
			m.Message = fmt.Sprintf("and %d more %ss", m.Omitted, m.Severity)
			out = append(out, m)
		}
	}
	return out
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
