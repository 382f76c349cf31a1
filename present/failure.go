package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// Failure writes a failure as compilers write errors, in the same form
// as validation diagnostics: a first line FILE:LINE:COL: error: HEADLINE
// that tools parse and editors jump to, saying what failed, after how many
// attempts, under which policy; then the pipeline's source line with a
// caret under the failing expression or step; then notes: the kind and
// message, the cause chain, the sub-expression and the values it read, the
// command as run (shell-quoted, so that it can be pasted) with its exit
// status and the end of its standard error, a panic's callers; then each
// secondary failure (a retry.when or a fallback that failed, the budget
// passed) with its own place in the file. src is the pipeline file's text.
// With SeverityWarning it is a failure its policy skipped: the run goes
// on.
//
// It renders the failure's wire shape (Value), as FailureValue does, and
// adds the head and tail of a standard output that passed limits.output,
// which the wire shape does not keep.
func Failure(w io.Writer, e *runtime.Error, src []byte, st Style, sev dsl.Severity) {
	failure(w, e.Value(), e.Evidence.Stdout, src, st, sev)
}

// FailureValue writes a failure from its wire shape, as a report or a
// JSON line holds it, exactly as Failure writes the record it came from
// (but for standard output, which the wire shape does not keep).
func FailureValue(w io.Writer, v dsl.ErrorValue, src []byte, st Style, sev dsl.Severity) {
	failure(w, v, "", src, st, sev)
}

func failure(w io.Writer, v dsl.ErrorValue, stdout string, src []byte, st Style, sev dsl.Severity) {
	at := rangeOf(v.File, v.Line, v.Column, v.EndLine, v.EndColumn)
	pos := at.From
	word := paint(st.Error, sev.String())
	if sev == dsl.SeverityWarning {
		word = paint(st.Warning, sev.String())
	}
	if pos.IsValid() {
		fmt.Fprintf(w, "%s: %s: %s\n", paint(st.Location, pos.String()), word, v.Headline)
		for _, l := range snippet(src, pos, at.Width(), st) {
			fmt.Fprintln(w, l)
		}
	} else {
		fmt.Fprintf(w, "%s: %s\n", word, v.Headline)
	}
	for _, n := range notes(v, stdout) {
		if n.label == "" {
			fmt.Fprintln(w, quoteLine(pos.Line, n.text, st))
		} else {
			fmt.Fprintln(w, noteLine(pos.Line, n.label, n.text, st))
		}
	}
	for _, n := range v.Notes {
		secondary(w, n, pos.Line, src, st)
	}
}

// rangeOf is the range a wire shape's position fields describe.
func rangeOf(file string, line, col, endLine, endCol int) dsl.Range {
	r := dsl.Range{From: dsl.Pos{File: file, Line: line, Col: col}}
	if endLine > 0 {
		r.To = dsl.Pos{File: file, Line: endLine, Col: endCol}
	}
	return r
}

// secondary writes a secondary failure: a note, then where it stands, as
// compilers point at a second place.
func secondary(w io.Writer, n dsl.NoteValue, line int, src []byte, st Style) {
	fmt.Fprintln(w, noteLine(line, "note", n.Message, st))
	at := rangeOf(n.File, n.Line, n.Column, n.EndLine, n.EndColumn)
	if !at.From.IsValid() {
		return
	}
	fmt.Fprintln(w, gutterPad(line)+paint(st.Location, "--> "+at.From.String()))
	for _, l := range snippet(src, at.From, at.Width(), st) {
		fmt.Fprintln(w, l)
	}
}

// note is one line under the snippet; an empty label quotes evidence.
type note struct{ label, text string }

// notes are the lines under the snippet, most telling first.
func notes(v dsl.ErrorValue, stdout string) []note {
	out := []note{{"error", fmt.Sprintf("%s: %s", v.Kind, firstLine(v.Message))}}
	for _, c := range v.Causes {
		out = append(out, note{"cause", c})
	}
	if c := v.Cell; c != nil && c.Row != "" {
		out = append(out, note{"row", fmt.Sprintf("%s:%d: %s", c.File, c.Line, c.Row)})
	}
	if v.Expression != "" {
		out = append(out, note{"in", v.Expression})
	}
	for _, nv := range v.Values {
		out = append(out, note{"value", nv.Name + " = " + nv.Value})
	}
	out = appendCommand(out, v.Command)
	if v.Kind == string(runtime.KindExit) && v.Code > 0 {
		out = append(out, note{"exit status", fmt.Sprint(v.Code)})
	}
	out = appendBlock(out, fmt.Sprintf("stderr, last %d lines", runtime.StderrTailLines), v.Stderr)
	out = appendBlock(out, "stdout, its head and tail", stdout)
	if v.Injected {
		out = append(out, note{"injected", "by run --inject: the attempt ran no step"})
	}
	return appendBlock(out, "stack", strings.Join(v.Stack, "\n"))
}

// appendCommand shows the command as run: an sh step's text, its first
// line on the note and the others quoted; an exec step's argv shell-quoted,
// so that an argument with spaces reads as one and the line can be pasted.
func appendCommand(out []note, argv []string) []note {
	switch {
	case len(argv) == 0:
		return out
	case (runtime.Evidence{Argv: argv}).IsShell():
		first, rest, _ := strings.Cut(strings.TrimRight(argv[2], "\n"), "\n")
		return appendLines(append(out, note{"command", first}), rest)
	}
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = runtime.ShellQuote(a)
	}
	return append(out, note{"command", strings.Join(words, " ")})
}

// appendBlock adds a labelled block of quoted lines when text is not empty.
func appendBlock(out []note, label, text string) []note {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return out
	}
	return appendLines(append(out, note{label, ""}), text)
}

// appendLines adds text as quoted lines, in the gutter.
func appendLines(out []note, text string) []note {
	if text == "" {
		return out
	}
	for _, l := range strings.Split(text, "\n") {
		out = append(out, note{"", l})
	}
	return out
}

// firstLine shortens a multi-line message for one-line displays.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
