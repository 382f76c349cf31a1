package builtins

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the builtins table of ../spec.md")

const (
	tableStart = "| function | side effects | what it does |\n|---|---|---|\n"
	tableEnd   = "<!-- builtins:end -->"
)

// TestSpecListsEveryBuiltin keeps spec.md's table of builtins equal to the
// registry, generated from the builtins' signatures and doc lines.
func TestSpecListsEveryBuiltin(t *testing.T) {
	spec, err := os.ReadFile("../spec.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(spec)
	start := strings.Index(text, tableStart)
	end := strings.Index(text, tableEnd)
	if start < 0 || end < start {
		t.Fatalf("spec.md has no builtins table between %q and %q", tableStart, tableEnd)
	}
	start += len(tableStart)
	got, want := text[start:end], MarkdownTable()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile("../spec.md", []byte(text[:start]+want+text[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("spec.md's builtins table is stale; run go test ./builtins -run TestSpec -update\ngot:\n%s\nwant:\n%s", got, want)
}
