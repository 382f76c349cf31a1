package journal

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// The hand-written error codec against encoding/json: what appendError
// writes is the JSON encoding/json writes for the same value (compared as
// decoded values, since members may come in another order), and
// parseError reads it back to the value it came from.
func TestErrorCodecAgreesWithEncodingJSON(t *testing.T) {
	for name, e := range map[string]errorJSON{
		"kind only": {Kind: "cancelled", NoItem: true},
		"assert": {Kind: "assert", Message: "assertion failed: item < 0", Headline: `map/step 1: item 2 (3) failed (skip)`,
			Stage: "map", Step: "step 1", Attempt: 1, Attempts: 1, Policy: "skip", Position: "p.yaml:7:15",
			File: "p.yaml", Line: 7, Column: 15, EndLine: 7, EndColumn: 22, Values: []dsl.NamedText{{Name: "item", Value: "3"}}},
		"exec": {Kind: "exit", Message: "exit status 2\n\"quoted\" \\ tab\t\u00e9 \u2028 \x01", Command: []string{"sh", "-c", `echo "$x"`},
			Code: -1, Stderr: "line 1\nline 2\n", Causes: []string{"a", "b"}, Stack: []string{"f (x.go:1)"}},
		"notes and cell": {Kind: "data", Notes: []dsl.NoteValue{{Message: "retry.when failed", Position: "p.yaml:9:3", File: "p.yaml", Line: 9, Column: 3}},
			Cell: &dsl.CellValue{File: "a.csv", Line: 4, Column: 2, Name: "n", Text: "", Row: "x,,y"}},
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := appendError(nil, &e)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(e)
			var got, oracle any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("%s is not JSON: %v", raw, err)
			}
			json.Unmarshal(want, &oracle)
			if !reflect.DeepEqual(got, oracle) {
				t.Errorf("appendError wrote\n%s\nencoding/json writes\n%s", raw, want)
			}
			back, ok := parseError(raw)
			if !ok {
				t.Fatalf("parseError did not read %s", raw)
			}
			if !reflect.DeepEqual(back, e) {
				t.Errorf("read back %+v, want %+v", back, e)
			}
		})
	}
}

// A form parseError does not know (an older journal, another order) is
// left to encoding/json by parseRecord.
func TestErrorInAnotherOrderIsReadByEncodingJSON(t *testing.T) {
	line := []byte(`{"i":0,"k":"00000000000000000000000000000000","s":"skipped","a":1,"w":0,"x":"1","e":{"message":"m","kind":"assert"}}` + "\n")
	if _, ok := parseError([]byte(`{"message":"m","kind":"assert"}`)); ok {
		t.Fatal("parseError read members out of its order")
	}
	r, ok := parseRecord(line)
	if !ok || r.Error == nil || r.Error.Kind != "assert" || r.Error.Message != "m" {
		t.Fatalf("parseRecord = %+v, %v", r.Error, ok)
	}
}
