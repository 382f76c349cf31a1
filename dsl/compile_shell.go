package dsl

import (
	"fmt"
	"strings"
)

// shellTemplate compiles an sh template and gives each ${} part the quoting
// of the shell context it stands in; a ${} where no quoting is safe is an
// error at its ${.
func (c *compiler) shellTemplate(t *TemplateNode, sc *scope) *Template {
	out := c.template(t, sc)
	quoting, problems := scanShell(shellUnits(t.Parts, t.Src), len(t.Parts))
	for i := range out.Parts {
		out.Parts[i].Quote = quoting[i]
	}
	for _, p := range problems {
		c.shellProblem(t, p)
	}
	return out
}

// shellProblem reports a ${} part that stands where it cannot be quoted.
func (c *compiler) shellProblem(t *TemplateNode, p shellProblem) {
	part := t.Parts[p.part]
	pos := t.PosAt(part.Offset - 2)
	span := 2
	if end := t.PosAt(part.Offset + len([]rune(part.Expr))); end.Line == pos.Line {
		span = end.Col - pos.Col + 1
	}
	shown := "${" + shorten(part.Expr, 40) + "}"
	where, hint := problemText(p, shown)
	if p.region >= 0 {
		at := t.PosAt(p.region)
		where = fmt.Sprintf(where, at.Line, at.Col)
	}
	c.errorf(pos, span, "shell-quote", hint, "%s: cannot quote %s %s", t.Path, shown, where)
}

// problemText says where a ${} stands, with verbs for the line and column
// of the region, and what to write instead.
func problemText(p shellProblem, shown string) (where, hint string) {
	const from = " (from line %d, column %d)"
	switch p.kind {
	case problemComment:
		return "in a shell comment" + from, "a line break in the value would end the comment and run the rest: take it out of the comment, or write $${ for a literal ${"
	case problemHeredoc:
		return "in a here-document" + from, "the shell expands what a here-document holds: pipe the value in instead, printf '%s\\n' " + shown + " | command"
	case problemHeredocWord:
		return "as a here-document's delimiter", "the value would decide where the document ends: write the delimiter plainly, such as <<'EOF'"
	case problemBackquote:
		return "inside backquotes" + from, "write $( ) instead of backquotes: inside $( ) a ${} is quoted"
	case problemDollarSingle:
		return "inside $'...'" + from, "close the $'...' before it: $'\\t'" + shown
	case problemParam:
		return "inside a shell expansion ${NAME...}" + from, `assign the value to a variable first, v=` + shown + `, and write "$${NAME:-$v}"`
	case problemArith:
		return "inside shell arithmetic" + from, "the shell evaluates what a value holds there, quotes or not: compute it in the expression instead, such as ${ item + 1 }"
	case problemBackslash:
		return "right after a backslash", "the backslash would escape the value's first character: remove it, the value is quoted already"
	}
	return "after " + p.lost.what + " at line %d, column %d, which poolflow's reading of shell syntax does not follow", p.lost.hint
}

// shorten cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
