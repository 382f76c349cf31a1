package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/poolflow/poolflow/pipetest"
)

// TestText writes one test's line, and for a test that failed the
// expectations that broke, each as a diff: where it stands in the file,
// what the test wants (-), what the run gave (+), and why when something
// says (spec.md §11).
func TestText(w io.Writer, r pipetest.Result, st Style) {
	word := paint(st.Location, "PASS")
	if !r.Passed() {
		word = paint(st.Error, "FAIL")
	}
	fmt.Fprintf(w, "%s %s: %s (%s)\n", word, r.Pos, r.Name, short(r.Duration))
	if r.Err != nil {
		for _, line := range strings.Split(strings.TrimRight(r.Err.Error(), "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
		return
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "    %s: %s\n", p.Pos, p.What)
		fmt.Fprintf(w, "      - %s\n", p.Want)
		fmt.Fprintf(w, "      + %s\n", p.Got)
		if p.Why != "" {
			fmt.Fprintf(w, "      because %s\n", p.Why)
		}
	}
}

// TestJSON is one test's result, a line of `poolflow test --format json`.
type TestJSON struct {
	File       string        `json:"file"`
	Test       string        `json:"test"`
	Line       int           `json:"line"`
	Column     int           `json:"column"`
	Passed     bool          `json:"passed"`
	DurationMS float64       `json:"duration_ms"`
	Error      string        `json:"error" doc:"why the test could not run; empty when it ran"`
	Problems   []ProblemJSON `json:"problems" doc:"the expectations that broke"`
}

// ProblemJSON is one expectation that broke.
type ProblemJSON struct {
	Expectation string `json:"expectation" doc:"its key, such as expect.items.3.status"`
	Position    string `json:"position" doc:"FILE:LINE:COL of the expectation"`
	Want        string `json:"want"`
	Got         string `json:"got"`
	Why         string `json:"why" doc:"what explains it, such as the failure that ended the run; may be empty"`
}

// TestLine is a test's result as JSON.
func TestLine(r pipetest.Result) TestJSON {
	t := TestJSON{File: r.File, Test: r.Name, Line: r.Pos.Line, Column: r.Pos.Col, Passed: r.Passed(),
		DurationMS: ms(r.Duration), Problems: []ProblemJSON{}}
	if r.Err != nil {
		t.Error = r.Err.Error()
	}
	for _, p := range r.Problems {
		t.Problems = append(t.Problems, ProblemJSON{Expectation: p.What, Position: p.Pos.String(), Want: p.Want, Got: p.Got, Why: p.Why})
	}
	return t
}
