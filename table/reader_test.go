package table

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

var shipments = &Schema{Name: "shipments", Strict: true, Columns: []Column{
	{Name: "shipmentId", Type: String},
	{Name: "processing_time_epoch", Type: Int},
}}

// readAll reads text both ways, whole and streamed, checks that they
// agree, and returns the rows as JSON.
func readAll(t *testing.T, text string, s *Schema) (string, error) {
	t.Helper()
	whole, err := readWhole(text, s)
	streamed, serr := readStreamed(text, s)
	if (err == nil) != (serr == nil) || (err != nil && err.Error() != serr.Error()) {
		t.Fatalf("whole and streamed disagree on %q: %v / %v", text, err, serr)
	}
	if whole != streamed {
		t.Fatalf("whole and streamed disagree on %q:\n%s\n%s", text, whole, streamed)
	}
	return whole, err
}

func readWhole(text string, s *Schema) (string, error) {
	r, err := NewTextReader("f.csv", text, s)
	if err != nil {
		return "", err
	}
	rows, err := r.ReadAll(context.Background(), 1)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(rows)
	return string(b), nil
}

func readStreamed(text string, s *Schema) (string, error) {
	r, err := NewReader("f.csv", strings.NewReader(text), s)
	if err != nil {
		return "", err
	}
	var rows []any
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		rows = append(rows, row)
	}
	if rows == nil {
		rows = []any{}
	}
	b, _ := json.Marshal(rows)
	return string(b), nil
}

func TestReadAgreesWithEncodingCSV(t *testing.T) {
	for _, text := range []string{
		"a,b\n1,2\n3,4\n",
		"\ufeffa,b\r\n1,2\r\n",
		"a,b\n\n1,2\n\n\n3,4",
		"a,b\n\"x,y\",\"say \"\"hi\"\"\"\n",
		"a,b\n\"two\nlines\",z\n",
		"a,b\n\"crlf\r\ninside\",z\r\n",
		"a,b\n,\n",
		"a\n x \n",
	} {
		got, err := readAll(t, text, nil)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var rows []map[string]string
		for _, rec := range recs[1:] {
			row := map[string]string{}
			for i, h := range recs[0] {
				row[h] = rec[i]
			}
			rows = append(rows, row)
		}
		want, _ := json.Marshal(rows)
		if got != string(want) {
			t.Errorf("%q:\n got %s\nwant %s", text, got, want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		s    *Schema
		want string
	}{
		{"a,a\n1,2\n", nil, `f.csv:1:2: column a: the header names this column twice (columns 1 and 2)`},
		{"a,b\n1\n", nil, `f.csv:2: row has 1 field, header has 2`},
		{"a,b\n1,x\"y\n", nil, `f.csv:2:2: bare " in a field without quotes (write the field in quotes, and each " in it as "")`},
		{"a,b\n\"1\"x,2\n", nil, `f.csv:2:1: extraneous or missing " in a quoted field`},
		{"a,b\n1,\"open\n", nil, `f.csv:2:2: the file ends inside a quoted field (a " is missing)`},
		{"shipmentId,processing_time_epoch\nA,1\nB,17174x0000\n", shipments, `f.csv:3:2: column processing_time_epoch: "17174x0000" is not an int`},
		{"shipmentId,processing_time_epoch\nA,\n", shipments, `f.csv:2:2: column processing_time_epoch: empty cell, where the schema wants an int (null: true allows empty cells)`},
		{"shipmentId,processing_time_epoch\n,5\n", shipments, `f.csv:2:1: column shipmentId: empty cell, where the schema wants a string (null: true allows empty cells)`},
		{"shipmentId,processing_time\nA,1\n", shipments, `f.csv:1:2: column processing_time: not in the schema (strict: false would leave it out): the header is shipmentId,processing_time; schema shipments wants shipmentId,processing_time_epoch`},
		{"shipmentId\nA\n", shipments, `f.csv:1: column processing_time_epoch: missing from the header: the header is shipmentId; schema shipments wants shipmentId,processing_time_epoch`},
		{"", shipments, `f.csv: the file is empty, where schema shipments wants the header shipmentId,processing_time_epoch`},
	} {
		_, err := readAll(t, tc.text, tc.s)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.text, err, tc.want)
		}
	}
}

func TestTypedRows(t *testing.T) {
	s := &Schema{Name: "t", Columns: []Column{
		{Name: "id", Type: String}, {Name: "n", Type: Int, Null: true}, {Name: "x", Type: Float},
		{Name: "ok", Type: Bool}, {Name: "day", Type: Time, Layout: "2006-01-02"}, {Name: "note", Type: String, Null: true},
	}}
	got, err := readAll(t, "day,id,n,x,ok,note,other\n2024-06-03,a,7,1.5,true,,z\n2024-06-04,b,,2,0,hi,z\n", s)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":"a","n":7,"x":1.5,"ok":true,"day":"2024-06-03T00:00:00Z","note":""},{"id":"b","n":null,"x":2,"ok":false,"day":"2024-06-04T00:00:00Z","note":"hi"}]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r, _ := NewTextReader("f.csv", "id,n,x,ok,day,note\na,7,1.5,true,2024-06-03,\n", s)
	rows, _ := r.ReadAll(context.Background(), 1)
	row := reflect.ValueOf(rows).Index(0)
	if row.Field(2).Interface() != any(7) || row.Field(5).Interface() != any(time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cells are not typed: %#v", row.Interface())
	}
}

func TestRowTypesAreShared(t *testing.T) {
	a, _ := NewTextReader("a.csv", "x,y\n1,2\n", nil)
	b, _ := NewTextReader("b.csv", "x,y\n3,4\n", nil)
	if a.Layout() != b.Layout() {
		t.Error("two files with one header have two row types")
	}
	if RowType(shipments) != RowType(&Schema{Name: "shipments", Strict: true, Columns: shipments.Columns}) {
		t.Error("two equal schemas have two row types")
	}
	if RowType(shipments) == RowType(&Schema{Name: "shipments", Columns: shipments.Columns}) {
		t.Error("a strict and a lax schema share a row type")
	}
}
