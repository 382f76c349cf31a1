package runtime

import (
	"fmt"
	"io"
	"strings"

	"github.com/poolflow/poolflow/dsl"
)

// RenderError writes a failure the way compilers write errors: a first
// line FILE:LINE:COL: error: WHERE: ITEM failed ... that tools parse and
// editors jump to, then the pipeline's source line with a caret, the
// command and its standard error, the cause chain, and a panic's stack.
// src is the pipeline file's text.
func RenderError(w io.Writer, e *Error, src []byte, st dsl.Style) {
	d := dsl.Diagnostic{Pos: e.Pos, Severity: dsl.SeverityError, Message: headline(e)}
	if !e.Pos.IsValid() {
		fmt.Fprintf(w, "%s: %s\n", paint(st.Error, "error"), d.Message)
	} else {
		fmt.Fprintf(w, "%s: %s: %s\n", paint(st.Location, e.Pos.String()), paint(st.Error, "error"), d.Message)
		for _, line := range dsl.Snippet(src, e.Pos, 1, st) {
			fmt.Fprintln(w, line)
		}
	}
	for _, line := range details(e) {
		fmt.Fprintln(w, "    "+line)
	}
}

func paint(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// headline is the first line's message: where, which item, how many
// attempts under which policy, and why.
func headline(e *Error) string {
	var b strings.Builder
	b.WriteString(e.Where())
	switch {
	case e.Index >= 0:
		fmt.Fprintf(&b, ": item %d %s failed", e.Index, DisplayItem(e.Item))
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
	fmt.Fprintf(&b, ": %s", firstLine(e.Message))
	return b.String()
}

// details are the indented lines under the snippet: kind, command, exit
// status, stderr, causes, stack.
func details(e *Error) []string {
	lines := []string{"kind: " + string(e.Kind)}
	if e.Command != "" {
		lines = append(lines, "command: "+e.Command)
	}
	if e.Kind == KindExit && e.Code > 0 {
		lines = append(lines, fmt.Sprintf("exit status: %d", e.Code))
	}
	if e.Stderr != "" {
		lines = append(lines, "stderr (last lines):")
		for _, l := range strings.Split(e.Stderr, "\n") {
			lines = append(lines, "  | "+l)
		}
	}
	for _, c := range causes(e) {
		lines = append(lines, "cause: "+c)
	}
	if e.Stack != "" {
		lines = append(lines, "stack:")
		for _, l := range strings.Split(strings.TrimRight(e.Stack, "\n"), "\n") {
			lines = append(lines, "  "+l)
		}
	}
	return lines
}

// causes lists the messages of the wrapped errors that add something to
// the message already shown.
func causes(e *Error) []string {
	var out []string
	seen := e.Message
	for err := e.Cause; err != nil; {
		msg := messageOf(err)
		if next, ok := err.(*Error); ok {
			msg = next.Message
		}
		if !strings.Contains(seen, msg) {
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
