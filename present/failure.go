package present

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// Failure writes a failure as compilers write errors, in the same form
// as validation diagnostics: a first line FILE:LINE:COL: error: ... that
// tools parse and editors jump to, saying where, which item, after how many
// attempts under which policy; then the pipeline's source line with a caret
// under the failing expression or step; then notes: the cause chain, the
// sub-expression and the values involved, the command as run with its
// exit status and the end of its standard error, a panic's stack. src is
// the pipeline file's text.
// With SeverityWarning it is a failure its policy skipped: the run goes
// on.
func Failure(w io.Writer, e *runtime.Error, src []byte, st Style, sev dsl.Severity) {
	line := e.Pos.Line
	word := paint(st.Error, sev.String())
	if sev == dsl.SeverityWarning {
		word = paint(st.Warning, sev.String())
	}
	if e.Pos.IsValid() {
		fmt.Fprintf(w, "%s: %s: %s\n", paint(st.Location, e.Pos.String()), word, Headline(e))
		for _, l := range snippet(src, e.Pos, e.Span, st) {
			fmt.Fprintln(w, l)
		}
	} else {
		fmt.Fprintf(w, "%s: %s\n", word, Headline(e))
	}
	for _, n := range notes(e) {
		if n.label == "" {
			fmt.Fprintln(w, quoteLine(line, n.text, st))
		} else {
			fmt.Fprintln(w, noteLine(line, n.label, n.text, st))
		}
	}
}

// Headline is the first line's message: where, which item, how many
// attempts under which policy.
func Headline(e *runtime.Error) string {
	var b strings.Builder
	b.WriteString(e.Where())
	switch {
	case e.Index >= 0:
		fmt.Fprintf(&b, ": item %d %s failed", e.Index, runtime.DisplayItem(e.Item))
	case e.Worker >= 0:
		fmt.Fprintf(&b, ": worker %d failed", e.Worker)
	default:
		b.WriteString(" failed")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d of %d attempts", e.Attempt, e.Attempts)
	}
	if e.Policy != "" {
		fmt.Fprintf(&b, " (%s)", e.Policy)
	}
	return b.String()
}

// telling reports whether a failing sub-expression says more than the
// caret: not a lone name or bracket.
func telling(sub string) bool {
	return len(sub) >= 3 && strings.ContainsAny(sub, "()[]+-*/.<>=!&|?:, ")
}

// note is one line under the snippet; an empty label quotes evidence.
type note struct{ label, text string }

// notes are the lines under the snippet, most telling first.
func notes(e *runtime.Error) []note {
	out := []note{{"error", fmt.Sprintf("%s: %s", e.Kind, firstLine(e.Message))}}
	for _, c := range causes(e) {
		out = append(out, note{"cause", c})
	}
	if telling(e.SubExpr) && e.Kind != runtime.KindFail { // fail(...) said it all
		out = append(out, note{"in", e.SubExpr})
	}
	for _, v := range e.Values {
		out = append(out, note{"value", v})
	}
	if e.Command != "" {
		first, rest, _ := strings.Cut(strings.TrimRight(e.Command, "\n"), "\n")
		out = append(out, note{"command", first})
		out = appendLines(out, rest)
	}
	if e.Kind == runtime.KindExit && e.Code > 0 {
		out = append(out, note{"exit status", fmt.Sprint(e.Code)})
	}
	out = appendBlock(out, fmt.Sprintf("stderr, last %d lines", runtime.StderrTailLines), e.Stderr)
	return appendBlock(out, "stack", TrimStack(e.Stack))
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

// causes lists the messages of the wrapped errors that add something to
// the message already shown.
func causes(e *runtime.Error) []string {
	var out []string
	seen := e.Message
	for err := e.Cause; err != nil; {
		msg := runtime.MessageOf(err)
		if next, ok := err.(*runtime.Error); ok {
			msg = next.Message
		}
		restates := msg == context.DeadlineExceeded.Error() || msg == context.Canceled.Error() // the kind says it
		if !restates && !strings.Contains(seen, msg) {
			out = append(out, msg)
			seen += "\n" + msg
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			break
		}
		err = u.Unwrap()
	}
	return out
}

// TrimStack keeps the frames of a Go stack that tell where a panic came
// from: it drops the goroutine header, the runtime's and the panic
// wrapper's frames, and everything from expr's VM on (poolflow's own
// plumbing), and writes each frame as "function (file:line)".
func TrimStack(stack string) string {
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	var frames []string
	afterPanic := false
	for i := 0; i+1 < len(lines); i++ {
		fn := strings.TrimSpace(lines[i])
		if strings.HasPrefix(fn, "goroutine ") || strings.HasPrefix(lines[i], "\t") {
			continue
		}
		loc := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndex(loc, " +0x"); j > 0 {
			loc = loc[:j]
		}
		name := fn
		if j := strings.LastIndex(name, "("); j > 0 {
			name = name[:j]
		}
		switch {
		case name == "panic":
			afterPanic, frames = true, nil
			continue
		case strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "runtime/debug."):
			continue
		case strings.HasPrefix(name, "github.com/expr-lang/expr/"):
			return strings.Join(frames, "\n")
		}
		if afterPanic || len(frames) < 20 {
			frames = append(frames, fmt.Sprintf("%s (%s)", name, loc))
		}
	}
	return strings.Join(frames, "\n")
}

// firstLine shortens a multi-line message for one-line displays.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
