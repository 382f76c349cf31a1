package dsl

import "testing"

// TestYAMLErrorPositions checks where YAML syntax errors point: yaml.v3
// counts the lines of its parser errors from 0 and those of its scanner
// errors from 1, and gives no column.
func TestYAMLErrorPositions(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"unclosed flow list: where it starts", "version: 1\nname: x\nitems: [1, 2\nmap: {}\n",
			"f.yaml:3:1: error: YAML syntax: did not find expected ',' or ']'"},
		{"unclosed flow mapping on the first line", "a: {x: 1\nb: 2\n",
			"f.yaml:2:1: error: YAML syntax: did not find expected ',' or '}'"},
		{"a key less indented than its mapping", "a:\n  b: 1\n c: 2\n",
			"f.yaml:3:2: error: YAML syntax: did not find expected key"},
		{"a key after a list's items", "a:\n  - 1\n  b: 2\n",
			"f.yaml:2:3: error: YAML syntax: did not find expected '-' indicator"},
		{"a block item in a flow list", "a:\n  b:\n    c: [1,\n    - x\n",
			"f.yaml:4:5: error: YAML syntax: did not find expected node content"},
		{"a parser error at the end of a file without a last line break", "a: 0\nb: {",
			"f.yaml:2:1: error: YAML syntax: did not find expected node content"},
		{"a parser error at the end of a file", "a: 0\nb: {\n",
			"f.yaml:3:1: error: YAML syntax: did not find expected node content"},
		{"a duplicate directive", "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
			"f.yaml:2:1: error: YAML syntax: found duplicate %YAML directive"},
		{"a scanner error: mapping values, at the start of the line", "a: 1\nb: c: d\n",
			"f.yaml:2:1: error: YAML syntax: mapping values are not allowed in this context"},
		{"a scanner error: a tab in the indentation points at the tab", "a:\n  \tb: 1\n",
			"f.yaml:2:3: error: YAML syntax: found character that cannot start any token"},
		{"a scanner error: an unterminated quoted string points where it starts", "a: 1\nb: \"x\n",
			"f.yaml:2:1: error: YAML syntax: found unexpected end of stream"},
		{"an unknown anchor has no line", "a: 1\nb: *nope\n",
			"f.yaml:1:1: error: YAML syntax: unknown anchor 'nope' referenced"},
		{"empty", "",
			"f.yaml:1:1: error: empty pipeline file"},
		{"a second document", "version: 1\n---\nb: 2\n",
			"f.yaml:1:1: error: the pipeline is missing the required key \"name\"\n" +
				"f.yaml:1:1: error: the pipeline is missing the required key \"items\"\n" +
				"f.yaml:1:1: error: the pipeline is missing the required key \"map\"\n" +
				"f.yaml:2:1: error: a pipeline file holds one YAML document; a second one starts here"},
	}
	for _, tt := range tests {
		_, err := Parse("f.yaml", []byte(tt.text))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: %q:\ngot  %s\nwant %s", tt.name, tt.text, got, tt.want)
		}
	}
}
