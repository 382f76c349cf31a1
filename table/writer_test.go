package table

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
)

func TestWriterQuotesAsEncodingCSV(t *testing.T) {
	fields := []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rhere", " lead", "\tlead", `\.`, "trail ", "ünï"}
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	cw.Write(fields)
	cw.Flush()
	var got bytes.Buffer
	w := NewWriter(&got)
	w.Record(fields)
	w.Flush()
	if got.String() != want.String() {
		t.Errorf("got  %q\nwant %q", got.String(), want.String())
	}
}

func TestWriterRows(t *testing.T) {
	s := &Schema{Name: "w", Columns: []Column{{Name: "id", Type: String}, {Name: "n", Type: Int},
		{Name: "at", Type: Time, Layout: "Jan 2, 2006"}, {Name: "f", Type: Float, Null: true}}}
	r, err := NewTextReader("f.csv", "id,n,at,f\n\"a,b\",7,\"Jun 3, 2024\",\nc,-2,\"Jun 4, 2024\",2.50\n", s)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.ReadAll(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	l, n, at, ok := Rows(rows)
	if !ok || n != 2 {
		t.Fatalf("Rows: %v %d", ok, n)
	}
	var out bytes.Buffer
	w := NewWriter(&out)
	for i := range n {
		w.Row(l, at(i), []int{0, 1, 2, 3, -1})
	}
	w.Flush()
	want := "\"a,b\",7,\"Jun 3, 2024\",,\nc,-2,\"Jun 4, 2024\",2.5,\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
	var boxed any = reflectIndex(rows, 1)
	bl, p, ok := LayoutOfValue(boxed)
	if !ok || bl != l || bl.Text(p, 0) != "c" || bl.Text(p, 1) != "-2" {
		t.Errorf("LayoutOfValue of a boxed row: %v %q", ok, bl.Text(p, 0))
	}
}

func reflectIndex(rows any, i int) any {
	l, _, at, _ := Rows(rows)
	return reflectNewAt(l, at(i))
}
