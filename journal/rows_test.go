package journal

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/poolflow/poolflow/table"
)

const shipments = "shipmentId,processing_time_epoch,weight,paid,at\nS1,1717400000,2.5,true,2026-01-02T03:04:05Z\nS2,,3,false,\n"

func readRows(t *testing.T, s *table.Schema) any {
	t.Helper()
	r, err := table.NewTextReader("s.csv", shipments, s)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.ReadAll(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRowsRoundTrip: rows, typed by a schema or by their header, come back
// as the same Go values (the oracle: reflect.DeepEqual with what the CSV
// reader gave), and write the same CSV.
func TestRowsRoundTrip(t *testing.T) {
	typed := readRows(t, &table.Schema{Name: "shipments", Strict: true, Columns: []table.Column{
		{Name: "shipmentId", Type: table.String},
		{Name: "processing_time_epoch", Type: table.Int, Null: true},
		{Name: "weight", Type: table.Float},
		{Name: "paid", Type: table.Bool},
		{Name: "at", Type: table.Time, Null: true},
	}})
	plain := readRows(t, nil)
	rv := reflect.ValueOf(typed)
	values := []any{
		typed, plain,
		rv.Index(0).Interface(),
		plain.([]any)[1],
		[]any{rv.Index(1).Interface(), rv.Index(0).Interface()},
		[]any{rv.Index(0).Interface(), "not a row"},
		map[string]any{"rows": typed, "n": 2},
	}
	for _, v := range values {
		raw, err := encodeValue(nil, v)
		if err != nil {
			t.Fatalf("encode %#v: %v", v, err)
		}
		got, err := decodeValue(raw)
		if err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("%#v came back as %#v (from %s)", v, got, raw)
		}
	}
	if a, b := csvOf(t, typed), csvOf(t, mustRoundTrip(t, typed)); !bytes.Equal(a, b) || len(a) == 0 {
		t.Errorf("CSV differs:\n%s\n%s", a, b)
	}
}

func mustRoundTrip(t *testing.T, v any) any {
	raw, err := encodeValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeValue(raw)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func csvOf(t *testing.T, rows any) []byte {
	var b bytes.Buffer
	w := table.NewWriter(&b)
	l, n, at, ok := table.Rows(rows)
	if !ok {
		t.Fatalf("%T is not rows", rows)
	}
	cols := make([]int, len(l.Columns()))
	for i := range cols {
		cols[i] = i
	}
	for i := range n {
		w.Row(l, at(i), cols)
	}
	w.Flush()
	return b.Bytes()
}
