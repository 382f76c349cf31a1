package proctree

import (
	"context"
	"testing"
)

// BenchmarkRunTrue is the cost of one command that does nothing, from two
// goroutines as the exec benchmark of bench/compare.sh runs it.
func BenchmarkRunTrue(b *testing.B) {
	b.SetParallelism(1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Run(context.Background(), Command{Argv: []string{"/bin/true"}, Limit: 1 << 20}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
