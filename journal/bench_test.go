package journal

import (
	"os"
	"testing"
	"time"

	"github.com/poolflow/poolflow/runtime"
)

// BenchmarkRecord is the journal's cost per item, in batches of 64 as the
// collector hands them over: go test ./journal -bench Record -benchmem.
func BenchmarkRecord(b *testing.B) {
	store, _ := Open(b.TempDir(), "p")
	rec, err := Start(store, plan(b, "item"), NoResume, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Finish("succeeded", 0, time.Now())
	batch := make([]runtime.Finished, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range batch {
			n := i*len(batch) + j
			batch[j] = ok(n, n*2)
			batch[j].Index = n
		}
		if err := rec.Record(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/item")
}

// BenchmarkResume is what a resume costs per item: indexing a journal of
// 100,000 items and reusing each: go test ./journal -bench Resume.
func BenchmarkResume(b *testing.B) {
	const items = 100_000
	store, _ := Open(b.TempDir(), "p")
	p := plan(b, "item")
	rec, _ := Start(store, p, NoResume, time.Now())
	batch := make([]runtime.Finished, 0, 1000)
	for n := range items {
		batch = append(batch, ok(n, n*2))
		if len(batch) == cap(batch) {
			rec.Record(batch)
			batch = batch[:0]
		}
	}
	rec.Finish("succeeded", 0, time.Now())
	keys := make([][]byte, items)
	for n := range keys {
		keys[n] = key(n)
	}
	for b.Loop() {
		r, err := Start(store, p, ResumeForce, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range keys {
			if _, ok := r.Reuse(k); !ok {
				b.Fatal("not reused")
			}
		}
		r.Finish("succeeded", 0, time.Now())
		os.Remove(store.Path(r.ID())) // the next resume reads the same journal

	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*items), "ns/item")
}
