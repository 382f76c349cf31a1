package dsl

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// renderAll writes what a diagnostic says, one per line: where, the
// message, how many characters it underlines and its hint. (Package
// present renders them for people; its tests check the snippets.)
func renderAll(ds Diagnostics, text string) string {
	var b bytes.Buffer
	for _, d := range ds {
		fmt.Fprintf(&b, "%s (span %d; hint: %s)\n", d, max(d.Span, 1), d.Hint)
	}
	return b.String()
}

// TestStructuralMaxima checks the error at the first node, parameter and
// step past the maxima, with the maxima made small for the test.
func TestStructuralMaxima(t *testing.T) {
	small := structure{nodes: 40, params: 2, steps: 3}
	for _, c := range []struct{ name, text, want string }{
		{"nodes", "version: 1\nname: n\nitems: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34]\n", `
pipeline.yaml:3:132: error: the pipeline has more than 40 YAML nodes (span 2; hint: keep data in files the items read (lines, csv, jsonl), not in the pipeline)
`},
		{"params", "version: 1\nname: n\nparams: {a: 1, b: 2, c: 3, d: 4}\nitems: [1]\nmap: {steps: [{expr: params.b}]}\n", `
pipeline.yaml:3:22: error: params has more than 2 parameters (span 1; hint: pass large data in a file the items or a builtin read)
`},
		{"steps", "version: 1\nname: n\nitems: [1]\nmap:\n  steps: [{expr: '1'}, {expr: '2'}, {expr: '3'}, {expr: '4'}]\n", `
pipeline.yaml:5:50: error: map.steps has more than 3 steps (span 1; hint: split the work between fewer, bigger steps)
`},
	} {
		_, err := parse("pipeline.yaml", []byte(c.text), small)
		ds, _ := err.(Diagnostics)
		if got := renderAll(ds, c.text); got != strings.TrimPrefix(c.want, "\n") {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, strings.TrimPrefix(c.want, "\n"))
		}
	}
}

// TestFileTooLarge checks that a file over MaxFileSize is refused before
// YAML reads it.
func TestFileTooLarge(t *testing.T) {
	text := bytes.Repeat([]byte("#"), MaxFileSize+1)
	plan, ds := Load("big.yaml", text, Options{})
	want := "big.yaml:1:1: error: pipeline file is larger than 4MiB"
	if plan != nil || len(ds) != 1 || ds[0].String() != want || ds[0].Code != "too-large" {
		t.Errorf("Load = %v, %q; want nil, %q", plan, ds.Error(), want)
	}
}

// TestDiagnosticsCapped checks that loading keeps the first MaxDiagnostics
// errors and warnings and says how many more there are, at the first one
// left out.
func TestDiagnosticsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nname: n\nitems: [1]\nmap:\n  steps:\n")
	for i := range MaxDiagnostics + 20 {
		fmt.Fprintf(&b, "    - {name: s%d, expr: item}\n", i)
	}
	for i := range MaxDiagnostics + 50 {
		fmt.Fprintf(&b, "k%d: 1\n", i)
	}
	text := b.String()
	_, ds := Load("pipeline.yaml", []byte(text), Options{})
	if got := ds.Count(SeverityError); got != MaxDiagnostics+50 {
		t.Errorf("Count(error) = %d, want %d", got, MaxDiagnostics+50)
	}
	if got := ds.Count(SeverityWarning); got != MaxDiagnostics+19 { // the last step's name is the result
		t.Errorf("Count(warning) = %d, want %d", got, MaxDiagnostics+19)
	}
	if len(ds) != 2*MaxDiagnostics+2 {
		t.Fatalf("got %d diagnostics, want %d", len(ds), 2*MaxDiagnostics+2)
	}
	want := `pipeline.yaml:226:1: error: and 50 more errors (span 4; hint: poolflow shows the first 100; fix those and validate again)
pipeline.yaml:106:14: warning: and 19 more warnings (span 4; hint: poolflow shows the first 100; fix those and validate again)
`
	if got := renderAll(ds[len(ds)-2:], text); got != want {
		t.Errorf("the last lines:\n%s\nwant:\n%s", got, want)
	}
}
