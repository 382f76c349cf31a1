package present

import (
	"fmt"
	"strings"

	"github.com/poolflow/poolflow/dsl"
)

// hintLine formats a hint aligned with the gutter of a snippet at line.
func hintLine(line int, hint string, st Style) string {
	return noteLine(line, "hint", hint, st)
}

// noteLine formats a labelled note, "= LABEL: TEXT", aligned with the
// gutter of a snippet at line, as compilers write notes under an error.
func noteLine(line int, label, text string, st Style) string {
	if text == "" {
		return gutterPad(line) + paint(st.Hint, "= "+label+":")
	}
	return gutterPad(line) + paint(st.Hint, "= "+label+":") + " " + text
}

// quoteLine formats one line of quoted evidence (stderr, a stack) in the
// gutter of a snippet at line.
func quoteLine(line int, text string, st Style) string {
	return gutterPad(line) + paint(st.Gutter, "|") + "   " + text
}

func gutterPad(line int) string {
	return strings.Repeat(" ", len(fmt.Sprint(max(line, 1)))+3)
}

// snippet returns the lines that show pos in src: a gutter, the source line
// and a caret line underlining span characters (at least one). It returns
// nothing when pos is not inside src.
func snippet(src []byte, pos dsl.Pos, span int, st Style) []string {
	line, ok := dsl.SourceLine(src, pos.Line)
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
