package dsl_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// manySteps is a pipeline of n one-line map steps, each named and reading
// the one before it.
func manySteps(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nname: steps\nitems: [1]\nmap:\n  steps:\n    - {name: s0, expr: item}\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "    - {name: s%d, expr: s%d + 1}\n", i, i-1)
	}
	return []byte(b.String())
}

// manyUndefinedNames is a pipeline of n named steps, each reading a name
// no step defines.
func manyUndefinedNames(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nname: undefined\nitems: [1]\nmap:\n  steps:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - {name: s%d, expr: t%d + 1}\n", i, i)
	}
	return []byte(b.String())
}

// manyUnknownKeys is a valid pipeline followed by n unknown keys.
func manyUnknownKeys(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nname: keys\nitems: [1]\nmap:\n  steps:\n    - expr: item\n")
	for i := range n {
		fmt.Fprintf(&b, "k%d: 1\n", i)
	}
	return []byte(b.String())
}

// allocated is how many bytes loading text allocates.
func allocated(t *testing.T, text []byte) uint64 {
	t.Helper()
	opts := dsl.Options{Functions: builtins.Options(), Workdir: t.TempDir()}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	dsl.Load("pipeline.yaml", text, opts)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestValidationIsLinear checks that loading a file four times as large
// allocates about four times as much, not sixteen: work that grows with
// the square of the steps or keys (a scope copied per step, a table of
// later steps rebuilt per step, every visible name listed and measured
// for the hint of each undefined one) shows in the bytes it allocates,
// without timing anything.
func TestValidationIsLinear(t *testing.T) {
	for _, c := range []struct {
		name string
		gen  func(int) []byte
		n    int
	}{
		{"named steps", manySteps, 500},
		{"unknown keys", manyUnknownKeys, 5000},
		{"undefined names", manyUndefinedNames, 500},
	} {
		small, large := allocated(t, c.gen(c.n)), allocated(t, c.gen(4*c.n))
		if ratio := float64(large) / float64(small); ratio > 6 {
			t.Errorf("%s: %d allocated %d bytes, %d allocated %d: %.1f times as much, want about 4",
				c.name, c.n, small, 4*c.n, large, ratio)
		}
	}
}
