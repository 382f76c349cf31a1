package dsl_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// TestSpecListsEveryKey checks that spec.md names every key the parser
// accepts, as `GROUP.KEY`, so the reference cannot fall behind the code.
func TestSpecListsEveryKey(t *testing.T) {
	spec, err := os.ReadFile("../spec.md")
	if err != nil {
		t.Fatal(err)
	}
	paths := dsl.KeyPaths()
	if len(paths) < 40 {
		t.Fatalf("KeyPaths gave only %d keys: %v", len(paths), paths)
	}
	for _, path := range paths {
		if !strings.Contains(string(spec), "`"+path+"`") {
			t.Errorf("spec.md does not document the key `%s`", path)
		}
	}
}

// TestSpecListsEveryMaximum checks that spec.md §6.7 states each
// structural maximum with the value the code checks.
func TestSpecListsEveryMaximum(t *testing.T) {
	spec, err := os.ReadFile("../spec.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(spec), "### 6.7 Limits")
	end := strings.Index(string(spec), "## 7. Errors")
	if start < 0 || end < start {
		t.Fatal("spec.md has no §6.7")
	}
	limits := string(spec[start:end])
	for _, want := range []string{
		"| pipeline file size | at most " + dsl.FormatBytes(dsl.MaxFileSize) + " |",
		"| at most " + thousands(dsl.MaxNodes) + " |",
		"| `params` | at most " + thousands(dsl.MaxParams) + " parameters |",
		"| steps of one stage | at most " + thousands(dsl.MaxSteps) + " |",
		"| `workers`, `--workers` | at most " + thousands(dsl.MaxWorkers) + " |",
		"| `window` | at most " + thousands(dsl.MaxWindow) + " items |",
		"| `on_error.retry.attempts` | at most " + thousands(dsl.MaxAttempts) + " |",
		"| the first " + thousands(dsl.MaxDiagnostics) + " errors and the first " + thousands(dsl.MaxDiagnostics) + " warnings |",
	} {
		if !strings.Contains(limits, want) {
			t.Errorf("spec.md §6.7 does not say %q", want)
		}
	}
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
