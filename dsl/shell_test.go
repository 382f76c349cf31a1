package dsl

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// scanTemplate splits text as a template, scans it as an sh command and
// writes what the scanner found, one word per ${} part: its quoting, or
// the problem and the rune offset of its region.
func scanTemplate(t *testing.T, text string) string {
	t.Helper()
	parts, _, msg := splitTemplate(text)
	if msg != "" {
		t.Fatalf("splitTemplate(%q): %s", text, msg)
	}
	q, problems := scanShell(shellUnits(parts, text), len(parts))
	words := make([]string, len(q))
	for i := range q {
		words[i] = q[i].String()
	}
	names := map[problemKind]string{problemComment: "comment", problemHeredoc: "heredoc", problemHeredocWord: "heredoc-word",
		problemBackquote: "backquote", problemDollarSingle: "dollar-single", problemParam: "param", problemArith: "arith",
		problemBackslash: "backslash", problemLost: "lost"}
	for _, p := range problems {
		words[p.part] = fmt.Sprintf("%s@%d", names[p.kind], p.region)
		if p.lost != nil {
			words[p.part] += "(" + p.lost.what + ")"
		}
	}
	var out []string
	for i, p := range parts {
		if p.Expr != "" {
			out = append(out, words[i])
		}
	}
	return strings.Join(out, " ")
}

func TestScanShell(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		// The three contexts a value can be quoted for.
		{`printf "%s|" "${item}"`, "double"},
		{`sha256sum "${item}"`, "double"},
		{`echo ${item} '${item}' "${item}"`, "word single double"},
		{`echo "a ${x} b" '${y} c' ${z}d`, "double single word"},
		{`echo "it's ${x}" 'say "${y}"'`, "double single"},
		{`echo "\"${x}\"" '\'${y}`, "double word"},
		{`echo \"${x}\" \'${y}\'`, "word word"},
		// $( ) nests a fresh context, inside quotes or not.
		{`echo "$(basename "${item}")"`, "double"},
		{`echo "$(basename ${item})"`, "word"},
		{`echo $(echo '${a}' "$(cat "${b}")") ${c}`, "single double word"},
		{`echo "$( (cd / && ls) | grep "${x}" )" "${y}"`, "double double"},
		{`echo $(echo ')') ${x}`, "word"},
		{`echo "$(echo ")")" ${x}`, "word"},
		// Comments, parameters and the like that change nothing.
		{"echo $# ${x} # a comment\necho ${y}", "word word"},
		{`echo a#b ${x}`, "word"},
		{`echo $${HOME} ${x} "$${HOME:-/} ${y}"`, "word double"},
		{`echo $$ $? "$@" ${x}`, "word"},
		{`x=${a}; y="${b}"; case ${c} in a) echo;; esac; echo ${d}`, "word double word word"},
		{"echo \\\n ${x}", "word"},
		{`echo $(( 1 + 2 )) ${x}`, "word"},
		{"cat <<EOF\nline\nEOF\necho ${x}", "word"},
		{"cat <<-'EOF' | wc\n\tline\n\tEOF\necho ${x}", "word"},
		{"cat <<EOF\nEOFX\nEOF\necho \"${x}\"", "double"},
		{"echo ${x} <<<'here'", "word"},
		{"echo `date` ${x}", "word"},
		{`echo $'\t' ${x}`, "lost@7(a backslash inside $'...')"},
		{`echo $'a' ${x}`, "word"},
		// Where no quoting is safe.
		{"echo hi # ${item}\necho ${x}", "comment@8 word"},
		{"cat <<EOF\n${item}\nEOF\necho ${x}", "heredoc@4 word"},
		{"cat <<-EOF\n\t${a} and ${b}\n\tEOF\n\"${x}\"", "heredoc@4 heredoc@4 double"},
		{"cat <<${item}\nx\n", "heredoc-word@-1"},
		{"echo `echo ${item}`", "backquote@5"},
		{"echo \"`echo ${item}`\"", "backquote@6"},
		{"echo `echo \\${item}`", "backquote@5"},
		{`echo $'a ${item}'`, "dollar-single@5"},
		{`echo $${x:-${item}}`, "param@5"},
		{`echo "$${x:-${item}}"`, "param@6"},
		{`echo $(( ${item} + 1 ))`, "arith@5"},
		{`echo $[ ${item} + 1 ] ${x}`, "arith@5 word"},
		{`(( n = ${item} + 1 )); echo ${x}`, "arith@0 word"},
		{`x=1; ((${item})) && echo "${x}"`, "arith@5 double"},
		{`( (cd / && ls ${x}) )`, "word"},
		{`echo $(( a[1] + 1 )) ${x}`, "word"},
		{`echo \${item}`, "backslash@-1"},
		{`echo "\${item}"`, "backslash@-1"},
		// Syntax the scanner does not follow: a ${} after it is a problem.
		{`echo $(case ${a} in x) echo ${b};; esac)`, "lost@7(case inside $( )) word"}, // one problem per template after the scan stops
		{"echo `echo 'a'` ${x}", "lost@11(quotes inside backquotes)"},
		{`echo $${x:-"a"} ${y}`, "lost@11(quotes, braces or a substitution inside ${...})"},
		{`echo $(( "1" )) ${y}`, "lost@9(quotes inside shell arithmetic)"},
		{"cat << \necho ${y}", "lost@7(<< without a delimiter)"},
		{`cat <<'EOF ${y}`, "lost@6(a here-document's delimiter in quotes)"},
		{`echo $(case x in a) echo;; esac) no part after it`, ""},
		{"echo ${x}; cat <<", "word"},
		{"echo ${x} \\", "word"},
		{"echo \"${x}\\", "double"},
		{"cat <<'EOF", ""},
	} {
		if got := scanTemplate(t, c.text); got != c.want {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}

// TestShellUnits checks that every literal rune keeps its offset in the
// template's source, also after $${, which the literal holds as ${.
func TestShellUnits(t *testing.T) {
	text := "a$${b}${c}d"
	parts, _, _ := splitTemplate(text)
	var got []string
	for _, u := range shellUnits(parts, text) {
		if u.part >= 0 {
			got = append(got, fmt.Sprintf("part%d@%d", u.part, u.off))
		} else {
			got = append(got, fmt.Sprintf("%c@%d", u.r, u.off))
		}
	}
	want := []string{"a@0", "$@1", "{@3", "b@4", "}@5", "part1@6", "d@10"}
	if !slices.Equal(got, want) {
		t.Errorf("units = %v, want %v", got, want)
	}
}
