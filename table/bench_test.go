package table

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// benchText is a file of the seed job: 5,000 rows of an id and an epoch.
var benchText = func() string {
	var b strings.Builder
	b.WriteString("shipmentId,processing_time_epoch\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "SHP%09d,%d\n", i, 1700000000+i*7919%10000000)
	}
	return b.String()
}()

// BenchmarkReadAll reads the file into rows, with the schema (typed
// cells) and without (the header's own row type), and, for comparison,
// into a map per row as read_csv did before; B/op over 5,000 is the
// memory a row costs beyond the text it shares.
func BenchmarkReadAll(b *testing.B) {
	for _, tc := range []struct {
		name string
		s    *Schema
	}{{"schema", shipments}, {"header", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewTextReader("f.csv", benchText, tc.s)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := r.ReadAll(context.Background(), 5001); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("maps", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var rows []map[string]string
			lines := strings.Split(benchText, "\n")
			header := strings.Split(lines[0], ",")
			for _, l := range lines[1 : len(lines)-1] {
				id, epoch, _ := strings.Cut(l, ",")
				rows = append(rows, map[string]string{header[0]: id, header[1]: epoch})
			}
			_ = rows
		}
	})
}
