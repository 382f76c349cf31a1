package journal

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/poolflow/poolflow/runtime"
	"github.com/poolflow/poolflow/table"
)

// BenchmarkRecord is the journal's cost per item, in batches of 64 as the
// collector hands them over: go test ./journal -bench Record -benchmem.
func BenchmarkRecord(b *testing.B) {
	store, _ := Open(b.TempDir(), "p")
	rec, err := Start(store, plan(b, "item"), NoResume, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Finish("succeeded", 0, 0, time.Now())
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
	rec.Finish("succeeded", 0, 0, time.Now())
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
		r.Finish("succeeded", 0, 0, time.Now())
		os.Remove(store.Path(r.ID())) // the next resume reads the same journal

	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*items), "ns/item")
}

// BenchmarkRows is the seed job's case: each item's result is the 5,000
// typed rows of one CSV file, recorded and then reused:
// go test ./journal -bench Rows.
func BenchmarkRows(b *testing.B) {
	var text bytes.Buffer
	text.WriteString("shipmentId,processing_time_epoch\n")
	for i := range 5000 {
		fmt.Fprintf(&text, "SHP-%07d,%d\n", i, 1717400000+i)
	}
	s := &table.Schema{Name: "shipments", Strict: true, Columns: []table.Column{{Name: "shipmentId", Type: table.String}, {Name: "processing_time_epoch", Type: table.Int}}}
	r, _ := table.NewTextReader("f.csv", text.String(), s)
	rows, _ := r.ReadAll(context.Background(), 0)
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(text.Len()))
		for b.Loop() {
			if _, err := encodeValue(nil, rows); err != nil {
				b.Fatal(err)
			}
		}
	})
	raw, _ := encodeValue(nil, rows)
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(text.Len()))
		for b.Loop() {
			if _, err := decodeValue(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
