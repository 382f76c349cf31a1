package cluster

import (
	"errors"
	"slices"
	"testing"
)

func TestProgramsTheStepsStart(t *testing.T) {
	tests := []struct {
		name, steps string
		want        []string
	}{
		{"exec", `    - exec: [convert, "${item}", out.png]`, []string{"convert"}},
		{"exec chosen by an expression", `    - exec: ["${item}"]`, nil},
		{"sh, a literal first word", `    - sh: gzip -k ${item}`, []string{"/bin/sh", "gzip"}},
		{"sh, a keyword first", `    - sh: if [ -e ${item} ]; then wc -l ${item}; fi`, []string{"/bin/sh"}},
		{"sh, an assignment first", `    - sh: LC_ALL=C sort ${item}`, []string{"/bin/sh"}},
		{"sh, the word goes on into an expression", `    - sh: tool${item} x`, []string{"/bin/sh"}},
		{"sh, an expression first", `    - sh: ${item} --version`, []string{"/bin/sh"}},
		{"expr", `    - expr: item`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := loadPlan(t, t.TempDir(), "version: 1\nname: t\nitems: [a]\nmap:\n  steps:\n"+tc.steps+"\n")
			if got := Programs(plan); !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMissingProgramsAndTheRefusal(t *testing.T) {
	plan := loadPlan(t, t.TempDir(), "version: 1\nname: t\nitems: [a]\nmap:\n  steps:\n    - exec: [aa]\n    - sh: bb x\n")
	look := func(p string) (string, error) {
		if p == "/bin/sh" {
			return p, nil
		}
		return "", errors.New("not found")
	}
	missing := MissingPrograms(plan, look)
	if got := refusal(missing); got != `programs "aa", "bb" are not on PATH` {
		t.Fatalf("got %q", got)
	}
}
