package present

import (
	"strings"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// TestSnippetWindow checks that a snippet of a very long line shows the
// part around the caret, with the caret still under its character.
func TestSnippetWindow(t *testing.T) {
	line := strings.Repeat("a", 499) + "X" + strings.Repeat("b", 500)
	got := snippet([]byte(line), dsl.Pos{Line: 1, Col: 500}, 1, Style{})
	want := []string{
		"    |",
		"  1 | …" + strings.Repeat("a", 80) + "X" + strings.Repeat("b", 79) + "…",
		"    | " + strings.Repeat(" ", 81) + "^",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	short := snippet([]byte("abc"), dsl.Pos{Line: 1, Col: 2}, 1, Style{})
	if short[1] != "  1 | abc" || short[2] != "    |  ^" {
		t.Errorf("a short line: %q", short)
	}
}
