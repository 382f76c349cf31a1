package dsl

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// valueNode parses text, a mapping with the key k, and returns k's value.
func valueNode(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return nodeAt(doc.Content[0], "k")
}

// positionList writes positions as "LINE:COL LINE:COL ...".
func positionList(ps []Pos) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return strings.Join(out, " ")
}

// TestScalarPositions maps every rune of a scalar's value, and the offset
// just past its end, to the line and column of the file it comes from.
func TestScalarPositions(t *testing.T) {
	tests := []struct {
		name, text, value, want string
	}{
		{"plain", "k: a+b\n", "a+b",
			"1:4 1:5 1:6 1:7"},
		{"plain, not ASCII", "k: é+ü\n", "é+ü",
			"1:4 1:5 1:6 1:7"},
		{"plain, after spaces", "k:    a b\n", "a b",
			"1:7 1:8 1:9 1:10"},
		{"plain, several lines", "k: a +\n  b\n", "a + b",
			"1:4 1:5 1:6 1:7 2:3 2:4"},
		{"single-quoted with ''", "k: 'it''s'\n", "it's",
			"1:5 1:6 1:7 1:9 1:10"},
		{"single-quoted, several lines", "k: 'a\n  b'\n", "a b",
			"1:5 1:6 2:3 2:4"},
		{"double-quoted with \\\"", `k: "a\"b"` + "\n", `a"b`,
			"1:5 1:6 1:8 1:9"},
		{"double-quoted with \\n \\x41 \\u00e9", `k: "\n\x41\u00e9z"` + "\n", "\nAéz",
			"1:5 1:7 1:11 1:17 1:18"},
		{"double-quoted with \\U", `k: "\U0001F600!"` + "\n", "\U0001F600!",
			"1:5 1:15 1:16"},
		{"double-quoted, \\-newline continuation", "k: \"ab\\\n  cd\"\n", "abcd",
			"1:5 1:6 2:3 2:4 2:5"},
		{"literal block", "k: |\n  ab\n  c\n", "ab\nc\n",
			"2:3 2:4 2:5 3:3 3:4 3:5"},
		{"literal block, strip, more indented line", "k: |-\n  a\n    b\n", "a\n  b",
			"2:3 2:4 3:3 3:4 3:5 3:6"},
		{"folded block", "k: >\n  ab\n  c\n", "ab c\n",
			"2:3 2:4 2:5 3:3 3:4 3:5"},
		{"literal block, whitespace-only line keeps its extra spaces", "k: |\n  a\n    \n  b\n", "a\n  \nb\n",
			"2:3 2:4 3:3 3:4 3:5 4:3 4:4 4:5"},
		{"literal block, leading blank line", "k: |\n\n  a\n", "\na\n",
			"2:1 3:3 3:4 3:5"},
		{"literal block, keep trailing lines", "k: |+\n  a\n\nj: 1\n", "a\n\n",
			"2:3 2:4 3:1 3:2"},
		{"literal block, indentation indicator", "k: |1\n    a\n", "   a\n",
			"2:2 2:3 2:4 2:5 2:6 2:7"},
		{"literal block, deep indentation", "k: |\n        x y\n", "x y\n",
			"2:9 2:10 2:11 2:12 2:13"},
		{"folded block, more indented line after a blank one", "k: >\n  a\n\n    b\n", "a\n\n  b\n",
			"2:3 2:4 3:1 4:3 4:4 4:5 4:6 4:7"},
		{"folded block, blank line folds to one break", "k: >-\n  a\n\n  b\n", "a\nb",
			"2:3 2:4 4:3 4:4"},
		{"CRLF line breaks", "k: |\r\n  ab\r\n  c\r\n", "ab\nc\n",
			"2:3 2:4 2:6 3:3 3:5 3:6"},
		{"empty", "k: ''\n", "",
			"1:4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := valueNode(t, tt.text)
			if n.Value != tt.value {
				t.Fatalf("value %q, want %q", n.Value, tt.value)
			}
			got := positionList(newSource("f.yaml", []byte(tt.text)).scalarPositions(n))
			if got != tt.want {
				t.Errorf("positions of %q:\ngot  %s\nwant %s", tt.value, got, tt.want)
			}
		})
	}
}
