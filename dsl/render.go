package dsl

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Style colours the parts of rendered text. Each field may be nil, which
// leaves that part plain; the zero Style renders plain text. The CLI fills
// it from github.com/fatih/color; the library itself never decides colour.
type Style struct {
	Error    func(string) string // the word "error"
	Warning  func(string) string // the word "warning"
	Location func(string) string // FILE:LINE:COL
	Gutter   func(string) string // line numbers and the bar
	Caret    func(string) string // ^^^ under the source
	Hint     func(string) string // "= hint:" lines
}

func paint(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// Render writes d the way compilers do: a first line FILE:LINE:COL:
// SEVERITY: MESSAGE that tools parse and editors jump to, then, indented, the
// source line with a caret under the place, then the hint.
func (d Diagnostic) Render(w io.Writer, src []byte, st Style) {
	word := paint(st.Error, d.Severity.String())
	if d.Severity == SeverityWarning {
		word = paint(st.Warning, d.Severity.String())
	}
	fmt.Fprintf(w, "%s: %s: %s\n", paint(st.Location, d.Pos.String()), word, d.Message)
	for _, line := range Snippet(src, d.Pos, d.Span, st) {
		fmt.Fprintln(w, line)
	}
	if d.Hint != "" {
		fmt.Fprintln(w, HintLine(d.Pos.Line, d.Hint, st))
	}
}

// HintLine formats a hint aligned with the gutter of a snippet at line.
func HintLine(line int, hint string, st Style) string {
	return NoteLine(line, "hint", hint, st)
}

// NoteLine formats a labelled note, "= LABEL: TEXT", aligned with the
// gutter of a snippet at line, as compilers write notes under an error.
func NoteLine(line int, label, text string, st Style) string {
	if text == "" {
		return gutterPad(line) + paint(st.Hint, "= "+label+":")
	}
	return gutterPad(line) + paint(st.Hint, "= "+label+":") + " " + text
}

// QuoteLine formats one line of quoted evidence (stderr, a stack) in the
// gutter of a snippet at line.
func QuoteLine(line int, text string, st Style) string {
	return gutterPad(line) + paint(st.Gutter, "|") + "   " + text
}

func gutterPad(line int) string {
	return strings.Repeat(" ", len(fmt.Sprint(max(line, 1)))+3)
}

// Snippet returns the lines that show pos in src: a gutter, the source line
// and a caret line underlining span characters (at least one). It returns
// nothing when pos is not inside src.
func Snippet(src []byte, pos Pos, span int, st Style) []string {
	line, ok := sourceLine(src, pos.Line)
	if !ok || pos.Col < 1 {
		return nil
	}
	line = strings.ReplaceAll(line, "\t", " ")
	line, col := window(line, pos.Col)
	num := fmt.Sprint(pos.Line)
	pad := strings.Repeat(" ", len(num))
	if span < 1 {
		span = 1
	}
	bar := func(prefix string) string { return paint(st.Gutter, "  "+prefix+" |") }
	return []string{
		bar(pad),
		bar(num) + " " + line,
		bar(pad) + " " + strings.Repeat(" ", col-1) + paint(st.Caret, strings.Repeat("^", span)),
	}
}

// snippetWidth is the most characters of a source line a snippet shows.
const snippetWidth = 160

// window cuts a line longer than snippetWidth to the part around column
// col, marking the cuts with …, and returns it with col's column in it: a
// one-line file of megabytes shows one screen line.
func window(line string, col int) (string, int) {
	r := []rune(line)
	if len(r) <= snippetWidth {
		return line, col
	}
	from := min(max(col-1-snippetWidth/2, 0), len(r)-snippetWidth)
	out := string(r[from : from+snippetWidth])
	if from > 0 {
		out, col = "…"+out, col-from+1
	}
	if from+snippetWidth < len(r) {
		out += "…"
	}
	return out, col
}

// sourceLine returns line n (1-based) of src without its line break.
func sourceLine(src []byte, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimRight(string(src), "\r"), true
}
