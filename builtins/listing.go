package builtins

import (
	"fmt"
	"strings"
)

// Summary is the part of Doc after the call form: what the builtin does.
func (b Builtin) Summary() string {
	if _, what, ok := strings.Cut(b.Doc, ": "); ok {
		return what
	}
	return b.Doc
}

// MarkdownTable lists every builtin as the rows of spec.md's table:
// signature, side effects, what it does.
func MarkdownTable() string {
	var rows strings.Builder
	for _, b := range All() {
		effects := "no"
		if b.SideEffects {
			effects = "yes"
		}
		fmt.Fprintf(&rows, "| `%s` | %s | %s |\n", b.Signature, effects, b.Summary())
	}
	return rows.String()
}

// Listing is what `poolflow builtins` prints: each builtin's signature and
// doc line, side effects marked.
func Listing() string {
	var b strings.Builder
	for _, fn := range All() {
		mark := ""
		if fn.SideEffects {
			mark = "  [side effects: not called by dry runs]"
		}
		fmt.Fprintf(&b, "%s%s\n    %s\n", fn.Signature, mark, fn.Summary())
	}
	return b.String()
}
