package present

import (
	"fmt"
	"io"

	"github.com/poolflow/poolflow/dsl"
)

// Diagnostic writes d the way compilers do: a first line FILE:LINE:COL:
// SEVERITY: MESSAGE that tools parse and editors jump to, then, indented,
// the source line with a caret under the place, then the hint. src is the
// pipeline file's text.
func Diagnostic(w io.Writer, d dsl.Diagnostic, src []byte, st Style) {
	word := paint(st.Error, d.Severity.String())
	if d.Severity == dsl.SeverityWarning {
		word = paint(st.Warning, d.Severity.String())
	}
	fmt.Fprintf(w, "%s: %s: %s\n", paint(st.Location, d.Pos.String()), word, d.Message)
	for _, line := range snippet(src, d.Pos, d.Span, st) {
		fmt.Fprintln(w, line)
	}
	if d.Hint != "" {
		fmt.Fprintln(w, hintLine(d.Pos.Line, d.Hint, st))
	}
}

// DiagnosticJSON is a diagnostic as `validate --format json` writes it,
// and, with its type, as a JSON line of `run --format json`.
type DiagnosticJSON struct {
	File     string `json:"file" doc:"the pipeline file"`
	Line     int    `json:"line" doc:"1-based; 0 when the diagnostic is about the whole file"`
	Column   int    `json:"column" doc:"1-based, in characters"`
	Severity string `json:"severity" enum:"error,warning"`
	Code     string `json:"code" doc:"stable and machine-readable, such as unknown-key"`
	Message  string `json:"message"`
	Hint     string `json:"hint" doc:"help, or an empty string"`
}

// DiagnosticValue is d in its JSON shape.
func DiagnosticValue(d dsl.Diagnostic) DiagnosticJSON {
	return DiagnosticJSON{d.Pos.File, d.Pos.Line, d.Pos.Col, d.Severity.String(), d.Code, d.Message, d.Hint}
}
