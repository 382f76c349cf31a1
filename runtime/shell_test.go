package runtime

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// hostileItems are values that would run a command, or change the words
// of one, if they were not quoted for the place they stand in.
var hostileItems = []string{
	"$(touch pwned)", "`touch pwned`", `"; touch pwned; "`, `'; touch pwned; '`, "'", `"`,
	"a\nb", "x\n; touch pwned\n", `\`, `\"`, `\$(touch pwned)`, "$HOME", "*", " spaced  out ", "-n", "",
	"it's \"$(touch pwned)\" `touch pwned` \\", "${IFS}touch${IFS}pwned", "#; touch pwned",
}

// TestShellQuotingRealShell runs every hostile item through a real /bin/sh
// in each context a ${} can stand in, and checks that the command got
// exactly the value and that nothing ran: no file appeared.
func TestShellQuotingRealShell(t *testing.T) {
	items, err := json.Marshal(hostileItems)
	if err != nil {
		t.Fatal(err)
	}
	// Command substitution drops trailing line breaks, so the nested one
	// prints a sentinel after the value and the result takes it off.
	o, dir := runYAML(t, `version: 1
name: shell
workers: 4
items: `+string(items)+`
map:
  steps:
    - {name: word, sh: "printf '%s' ${item}"}
    - {name: single, sh: "printf '%s' '${item}'"}
    - {name: double, sh: "printf '%s' \"${item}\""}
    - {name: nested, sh: "printf '%s' \"$(printf '%s.' \"${item}\")\""}
    - {name: words, sh: "set -- ${item} '${item}' \"${item}\"; printf '%s|' \"$#\" \"$@\""}
  result: '[word.stdout, single.stdout, double.stdout, trimSuffix(nested.stdout, "."), words.stdout]'
output: {format: jsonl}
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	lines := strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n")
	if len(lines) != len(hostileItems) {
		t.Fatalf("got %d results, want %d:\n%s", len(lines), len(hostileItems), o.stdout)
	}
	for i, line := range lines {
		var got []string
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
		v := hostileItems[i]
		want := []string{v, v, v, v, "3|" + v + "|" + v + "|" + v + "|"}
		if !slices.Equal(got, want) {
			t.Errorf("item %q: the commands got %q, want %q", v, got, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("the commands created %v", entries)
	}
}

// TestShellQuotingLists checks a list's words in each context: outside
// quotes one word per element, inside quotes one word of them all.
func TestShellQuotingLists(t *testing.T) {
	o, _ := runYAML(t, `version: 1
name: shell
items: [1]
map:
  steps:
    - name: out
      sh: |
        printf '[%s]' ${["a b", "it's", "$(x)"]} "${["a b", "$(x)"]}" '${["it's", "c"]}'
  result: out.stdout
output: {format: jsonl}
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if want := `"[a b][it's][$(x)][a b $(x)][it's c]"` + "\n"; o.stdout != want {
		t.Errorf("stdout = %q, want %q", o.stdout, want)
	}
}

func TestShellWords(t *testing.T) {
	for _, c := range []struct {
		v    any
		q    string
		want string
	}{
		{"plain-word_1.txt", "word", "plain-word_1.txt"},
		{"it's", "word", `'it'\''s'`},
		{"", "word", "''"},
		{[]any{"a b", 1}, "word", "'a b' 1"},
		{"it's", "single", `it'\''s`},
		{`a\b$c` + "`d`\"e\"", "double", `a\\b\$c\` + "`d\\`" + `\"e\"`},
		{[]any{"a", "b c"}, "double", "a b c"},
		{nil, "double", ""},
	} {
		q := map[string]dsl.ShellQuoting{"word": dsl.ShellWord, "single": dsl.ShellSingle, "double": dsl.ShellDouble}[c.q]
		if got := shellWords(c.v, q); got != c.want {
			t.Errorf("shellWords(%#v, %s) = %q, want %q", c.v, c.q, got, c.want)
		}
	}
}
