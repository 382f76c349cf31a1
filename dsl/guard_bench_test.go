package dsl

import (
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// BenchmarkGuard measures a closure step with and without the guard call
// that compileGuarded inserts, with a guard that only counts.
func BenchmarkGuard(b *testing.B) {
	for _, code := range []string{`all(1..100000, # > 0)`, `reduce(1..100000, #acc + # % 7, 0)`} {
		for _, guard := range []bool{false, true} {
			name := code + "/plain"
			if guard {
				name = code + "/guarded"
			}
			b.Run(name, func(b *testing.B) {
				env := map[string]any{}
				compile := expr.Compile
				if guard {
					compile = compileGuarded
					steps := 0
					env[GuardVar] = Guard(func(v any) any { steps++; return v })
				}
				p, err := compile(code, expr.Env(env))
				if err != nil {
					b.Fatal(err)
				}
				var machine vm.VM
				machine.MemoryBudget = 1 << 30
				for b.Loop() {
					if _, err := machine.Run(p, env); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100000, "ns/step")
			})
		}
	}
}
