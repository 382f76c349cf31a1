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
func Failure(w io.Writer, e *runtime.Error, src []byte, st Style, sev dsl.Severity) {
	pos := e.At.From
	word := paint(st.Error, sev.String())
	if sev == dsl.SeverityWarning {
		word = paint(st.Warning, sev.String())
	}
	if pos.IsValid() {
		fmt.Fprintf(w, "%s: %s: %s\n", paint(st.Location, pos.String()), word, e.Headline())
		for _, l := range snippet(src, pos, e.At.Width(), st) {
			fmt.Fprintln(w, l)
		}
	} else {
		fmt.Fprintf(w, "%s: %s\n", word, e.Headline())
	}
	for _, n := range notes(e) {
		if n.label == "" {
			fmt.Fprintln(w, quoteLine(pos.Line, n.text, st))
		} else {
			fmt.Fprintln(w, noteLine(pos.Line, n.label, n.text, st))
		}
	}
	for _, n := range e.Notes {
		secondary(w, n, pos.Line, src, st)
	}
}

// secondary writes a secondary failure: a note, then where it stands, as
// compilers point at a second place.
func secondary(w io.Writer, n *runtime.Note, line int, src []byte, st Style) {
	fmt.Fprintln(w, noteLine(line, "note", n.Error(), st))
	if !n.At.From.IsValid() {
		return
	}
	fmt.Fprintln(w, gutterPad(line)+paint(st.Location, "--> "+n.At.From.String()))
	for _, l := range snippet(src, n.At.From, n.At.Width(), st) {
		fmt.Fprintln(w, l)
	}
}

// note is one line under the snippet; an empty label quotes evidence.
type note struct{ label, text string }

// notes are the lines under the snippet, most telling first.
func notes(e *runtime.Error) []note {
	ev := e.Evidence
	out := []note{{"error", fmt.Sprintf("%s: %s", e.Kind, firstLine(e.Message()))}}
	for _, c := range e.Causes() {
		out = append(out, note{"cause", c})
	}
	if c := ev.Cell; c != nil && c.Row != "" {
		out = append(out, note{"row", fmt.Sprintf("%s:%d: %s", c.File, c.Line, c.Row)})
	}
	if ev.Expr != "" {
		out = append(out, note{"in", ev.Expr})
	}
	for _, v := range ev.Values {
		out = append(out, note{"value", v.Name + " = " + v.Value})
	}
	out = appendCommand(out, ev)
	if e.Kind == runtime.KindExit && ev.ExitCode > 0 {
		out = append(out, note{"exit status", fmt.Sprint(ev.ExitCode)})
	}
	out = appendBlock(out, fmt.Sprintf("stderr, last %d lines", runtime.StderrTailLines), ev.Stderr)
	out = appendBlock(out, "stdout, its head and tail", ev.Stdout)
	return appendBlock(out, "stack", strings.Join(ev.Callers, "\n"))
}

// appendCommand shows the command as run: an sh step's text, its first
// line on the note and the others quoted; an exec step's argv shell-quoted,
// so that an argument with spaces reads as one and the line can be pasted.
func appendCommand(out []note, ev runtime.Evidence) []note {
	switch {
	case len(ev.Argv) == 0:
		return out
	case ev.IsShell():
		first, rest, _ := strings.Cut(strings.TrimRight(ev.Argv[2], "\n"), "\n")
		return appendLines(append(out, note{"command", first}), rest)
	}
	words := make([]string, len(ev.Argv))
	for i, a := range ev.Argv {
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
