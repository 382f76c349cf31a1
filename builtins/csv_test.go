package builtins

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	runCases(t, "read_csv", []callCase{
		{name: "rows", files: map[string]string{"a.csv": "id,name\n1,ann\n2,bob\n"}, args: []any{"a.csv"},
			want: []map[string]string{{"id": "1", "name": "ann"}, {"id": "2", "name": "bob"}}},
		{name: "quoted and crlf", files: map[string]string{"a.csv": "id,note\r\n1,\"a, \"\"b\"\"\"\r\n"}, args: []any{"a.csv"},
			want: []map[string]string{{"id": "1", "note": `a, "b"`}}},
		{name: "byte order mark", files: map[string]string{"a.csv": "\ufeffid\n1\n"}, args: []any{"a.csv"},
			want: []map[string]string{{"id": "1"}}},
		{name: "header only", files: map[string]string{"a.csv": "id,name\n"}, args: []any{"a.csv"},
			want: []map[string]string{}},
		{name: "empty", files: map[string]string{"a.csv": ""}, args: []any{"a.csv"},
			want: []map[string]string{}},
		{name: "ragged row", files: map[string]string{"data/a.csv": "id,name\n1,a\n2,b,c\n"}, args: []any{"data/a.csv"},
			err: "read_csv: data/a.csv:3: row has 3 fields, header has 2"},
		{name: "short row", files: map[string]string{"a.csv": "id,name\n\n\n1\n"}, args: []any{"a.csv"},
			err: "read_csv: a.csv:4: row has 1 field, header has 2"},
		{name: "bare quote", files: map[string]string{"a.csv": "id\na\"b\n"}, args: []any{"a.csv"},
			err: `read_csv: a.csv:2:2: bare " in non-quoted-field`},
		{name: "duplicate column", files: map[string]string{"a.csv": "id,name,id\n"}, args: []any{"a.csv"},
			err: `read_csv: a.csv:1: duplicate column "id" in header`},
		{name: "missing", args: []any{"a.csv"}, err: `read_csv: "a.csv": no such file or directory (looked for $DIR/a.csv)`},
	})
}

// TestSimpleCSVAgreesWithEncodingCSV checks that the fast path for files
// without quotes reads exactly what encoding/csv reads, errors included.
func TestSimpleCSVAgreesWithEncodingCSV(t *testing.T) {
	inputs := []string{
		"a,b\n1,2\n3,4\n",
		"a,b\n1,2\n3,4",
		"a,b\r\n1,2\r\n3,4\r\n",
		"\ufeffa,b\n1,2\n",
		"a,b\n\n1,2\n\n\n3,4\n",
		"a,b\n1,\n,2\n",
		"a, b \n 1 , 2 \n",
		"a\n1\n2\n",
		"a,b\n1,2,3\n",
		"a,b\n1\n",
		"a,a\n1,2\n",
		"",
		"a,b\n",
	}
	for _, in := range inputs {
		want, wantErr := decodeCSV("f.csv", strings.NewReader(in))
		got, ok, gotErr := decodeSimpleCSV("f.csv", in)
		if !ok {
			t.Errorf("%q: the simple reader declined a file without quotes", in)
			continue
		}
		if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
			t.Errorf("%q: error %v, encoding/csv says %v", in, gotErr, wantErr)
			continue
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: rows %v, encoding/csv reads %v", in, got, want)
		}
	}
	if _, ok, _ := decodeSimpleCSV("f.csv", "a,b\n\"1,2\",3\n"); ok {
		t.Error("the simple reader took a file with quotes")
	}
}
