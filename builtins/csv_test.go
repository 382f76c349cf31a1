package builtins

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/table"
)

var shipmentsSchema = &table.Schema{Name: "shipments", Strict: true, Columns: []table.Column{
	{Name: "shipmentId", Type: table.String}, {Name: "processing_time_epoch", Type: table.Int}}}

// TestReadCSV reads files with read_csv and compares the rows as JSON,
// which shows a row's columns in order and its cells with their types.
func TestReadCSV(t *testing.T) {
	schema := reflect.Zero(table.RowType(shipmentsSchema)).Interface()
	for _, c := range []struct {
		name  string
		files map[string]string
		args  []any
		want  string
		err   string
	}{
		{name: "rows", files: map[string]string{"a.csv": "id,name\n1,ann\n2,bob\n"}, args: []any{"a.csv"},
			want: `[{"id":"1","name":"ann"},{"id":"2","name":"bob"}]`},
		{name: "quoted and crlf", files: map[string]string{"a.csv": "id,note\r\n1,\"a, \"\"b\"\"\"\r\n"}, args: []any{"a.csv"},
			want: `[{"id":"1","note":"a, \"b\""}]`},
		{name: "byte order mark", files: map[string]string{"a.csv": "\ufeffid\n1\n"}, args: []any{"a.csv"},
			want: `[{"id":"1"}]`},
		{name: "header only", files: map[string]string{"a.csv": "id,name\n"}, args: []any{"a.csv"}, want: `[]`},
		{name: "empty", files: map[string]string{"a.csv": ""}, args: []any{"a.csv"}, want: `[]`},
		{name: "typed", files: map[string]string{"a.csv": "processing_time_epoch,shipmentId\n17,A\n"}, args: []any{"a.csv", schema},
			want: `[{"shipmentId":"A","processing_time_epoch":17}]`},
		{name: "not an int", files: map[string]string{"data/b.csv": "shipmentId,processing_time_epoch\nA,17\nB,17174x0000\n"}, args: []any{"data/b.csv", schema},
			err: `data/b.csv:3:2: column processing_time_epoch: "17174x0000" is not an int`},
		{name: "ragged row", files: map[string]string{"data/a.csv": "id,name\n1,a\n2,b,c\n"}, args: []any{"data/a.csv"},
			err: "data/a.csv:3: row has 3 fields, header has 2"},
		{name: "duplicate column", files: map[string]string{"a.csv": "id,name,id\n"}, args: []any{"a.csv"},
			err: `a.csv:1:3: column id: the header names this column twice (columns 1 and 3)`},
		{name: "not a schema", files: map[string]string{"a.csv": "id\n1\n"}, args: []any{"a.csv", "shipments"},
			err: `read_csv: the schema must be the name of a schema of schemas:, written as a string`},
		{name: "missing", args: []any{"a.csv"}, err: `read_csv: "a.csv": no such file or directory (looked for $DIR/a.csv)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			got, err := callIn(t.Context(), &Scope{Dir: dir, Index: -1}, "read_csv", c.args...)
			if want := strings.ReplaceAll(c.err, "$DIR", files.Display(dir)); errText(err) != want {
				t.Fatalf("error:\n got %q\nwant %q", errText(err), want)
			}
			if err != nil {
				return
			}
			if b, _ := json.Marshal(got); string(b) != c.want {
				t.Errorf("rows:\n got %s\nwant %s", b, c.want)
			}
		})
	}
}

// TestReadCSVTypes checks the type the checker gives a call: a list of
// the schema's rows, which is how row.col is checked at load time.
func TestReadCSVTypes(t *testing.T) {
	ctx, str := reflect.TypeFor[any](), reflect.TypeFor[string]()
	row := table.RowType(shipmentsSchema)
	if got, err := readCSVTypes([]reflect.Type{ctx, str, row}); err != nil || got != reflect.SliceOf(row) {
		t.Errorf("with a schema: %v, %v", got, err)
	}
	if got, err := readCSVTypes([]reflect.Type{ctx, str}); err != nil || got != reflect.TypeFor[[]any]() {
		t.Errorf("without: %v, %v", got, err)
	}
	if _, err := readCSVTypes([]reflect.Type{ctx, str, str}); errText(err) != "read_csv: the schema must be the name of a schema of schemas:, written as a string" {
		t.Errorf("a string for a schema: %v", err)
	}
}
