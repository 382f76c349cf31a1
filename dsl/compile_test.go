package dsl

import (
	"reflect"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/poolflow/poolflow/table"
)

func TestCoerceParam(t *testing.T) {
	tests := []struct {
		name    string
		def     any
		raw     string
		want    any
		wantErr string
	}{
		{"string default keeps the raw text", "x", "42", "42", ""},
		{"string default keeps spaces and YAML syntax", "x", " [a, b]: # c ", " [a, b]: # c ", ""},
		{"string default takes the empty text", "x", "", "", ""},
		{"int default", 3, "5", 5, ""},
		{"int default, negative", 3, "-5", -5, ""},
		{"int default refuses a float", 3, "5.5", nil, "want an integer like the default 3"},
		{"int default refuses a word", 3, "five", nil, "want an integer like the default 3"},
		{"int default refuses nothing", 3, "", nil, "want an integer like the default 3"},
		{"float default takes an int", 1.5, "2", 2.0, ""},
		{"float default", 1.5, "2.25", 2.25, ""},
		{"float default refuses a word", 1.5, "x", nil, "want a number like the default 1.5"},
		{"bool default", false, "true", true, ""},
		{"bool default refuses yes", false, "yes", nil, "want true or false like the default false"},
		{"list default", []any{"a"}, "[b, 1]", []any{"b", 1}, ""},
		{"list default refuses a mapping", []any{"a"}, "{b: 1}", nil, "want a list like the default [a]"},
		{"mapping default", map[string]any{"a": 1}, "{b: 2}", map[string]any{"b": 2}, ""},
		{"mapping default, int keys become strings", map[string]any{"a": 1}, "{1: x}", map[string]any{"1": "x"}, ""},
		{"nil default takes a list", nil, "[1, 2]", []any{1, 2}, ""},
		{"nil default takes a word", nil, "x", "x", ""},
		{"nil default takes a number", nil, "1.5", 1.5, ""},
		{"nil default takes nothing", nil, "", nil, ""},
		{"bad YAML", 3, "[1", nil, "not a YAML value: yaml: line 1: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		got, err := coerceParam(tt.def, tt.raw)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if !reflect.DeepEqual(got, tt.want) || gotErr != tt.wantErr {
			t.Errorf("%s: coerceParam(%#v, %q) = %#v, %q; want %#v, %q", tt.name, tt.def, tt.raw, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

// compileText loads text with expr's own functions and stand-ins for
// read_csv and glob, so that dsl's tests do not depend on builtins, and
// fails the test on any error.
func compileText(t *testing.T, text string, params map[string]string) *Plan {
	t.Helper()
	functions := []expr.Option{
		expr.Function("read_csv", func(args ...any) (any, error) { return nil, nil }, new(func(string) []map[string]string)),
		expr.Function("glob", func(args ...any) (any, error) { return nil, nil }, new(func(string) []string)),
	}
	plan, diags := Load("p.yaml", []byte(text), Options{Functions: functions, Workers: 1, Params: params})
	if diags.HasErrors() {
		t.Fatalf("Load:\n%v", diags)
	}
	return plan
}

const head = "version: 1\nname: t\n"

func TestCompileKeepResults(t *testing.T) {
	tests := []struct {
		name, text string
		want       bool
	}{
		{"no output, no done", "items: [1]\nmap: {steps: [{expr: item}]}\n", false},
		{"done without results", "items: [1]\nmap: {steps: [{expr: item}]}\ncallbacks: {done: {steps: [{expr: stats.ok}]}}\n", false},
		{"done reads results", "items: [1]\nmap: {steps: [{expr: item}]}\ncallbacks: {done: {steps: [{expr: len(results)}]}}\n", true},
		{"output writes results by default", "items: [1]\nmap: {steps: [{expr: item}]}\noutput: {to: out.json}\n", true},
		{"output value reads results", "items: [1]\nmap: {steps: [{expr: item}]}\noutput: {value: 'map(results, # * 2)'}\n", true},
		{"output value reads only errors", "items: [1]\nmap: {steps: [{expr: item}]}\noutput: {value: errors}\n", false},
		{"output to reads results", "items: [1]\nmap: {steps: [{expr: item}]}\noutput: {value: stats, to: 'out-${len(results)}.json'}\n", true},
		{"result callback does not keep them", "items: [1]\nmap: {steps: [{expr: item}]}\ncallbacks: {result: {steps: [{expr: result}]}}\n", false},
	}
	for _, tt := range tests {
		if got := compileText(t, head+tt.text, nil).KeepResults; got != tt.want {
			t.Errorf("%s: KeepResults = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCompileKeepErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       bool
	}{
		{"no output, no done", "items: [1]\nmap: {steps: [{expr: item}], on_error: skip}\n", false},
		{"error callback only", "items: [1]\nmap: {steps: [{expr: item}], on_error: skip}\ncallbacks: {error: {steps: [{expr: error.kind}]}}\n", false},
		{"done reads errors", "items: [1]\nmap: {steps: [{expr: item}]}\ncallbacks: {done: {steps: [{expr: len(errors)}]}}\n", true},
		{"output writes results by default", "items: [1]\nmap: {steps: [{expr: item}]}\noutput: {to: out.json}\n", false},
		{"output value reads errors", "items: [1]\nmap: {steps: [{expr: item}]}\noutput: {value: errors}\n", true},
		{"output to reads errors", "items: [1]\nmap: {steps: [{expr: item}]}\noutput: {value: stats, to: 'out-${len(errors)}.json'}\n", true},
	}
	for _, tt := range tests {
		if got := compileText(t, head+tt.text, nil).KeepErrors; got != tt.want {
			t.Errorf("%s: KeepErrors = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCompileWorkerType(t *testing.T) {
	plan := compileText(t, head+`items: [1]
initializer:
  steps:
    - name: columns
      expr: '["a", "b"]'
    - expr: 1
    - name: offset
      expr: 10
    - name: tool
      sh: echo hi
map:
  steps:
    - expr: item + worker.offset + len(worker.columns) + len(worker.tool.stdout) + worker.id
`, nil)
	want := reflect.StructOf([]reflect.StructField{
		{Name: "ID", Type: intType, Tag: `expr:"id" json:"id"`},
		{Name: "S0", Type: reflect.TypeOf([]any{}), Tag: `expr:"columns" json:"columns"`},
		{Name: "S1", Type: intType, Tag: `expr:"offset" json:"offset"`},
		{Name: "S2", Type: processType, Tag: `expr:"tool" json:"tool"`},
	})
	if plan.WorkerType != want {
		t.Errorf("WorkerType = %v, want %v", plan.WorkerType, want)
	}

	plain := compileText(t, head+"items: [1]\nmap: {steps: [{expr: item + worker.id}]}\n", nil)
	want = reflect.StructOf([]reflect.StructField{{Name: "ID", Type: intType, Tag: `expr:"id" json:"id"`}})
	if plain.WorkerType != want {
		t.Errorf("without an initializer: WorkerType = %v, want %v", plain.WorkerType, want)
	}
}

func TestCompileItemsElemType(t *testing.T) {
	tests := []struct {
		items string
		kind  string
		want  reflect.Type
	}{
		{"1..3", ItemsExpr, nil}, // expr types a range as a list of any
		{`glob("*.csv")`, ItemsExpr, stringType},
		{`read_csv("a.csv")`, ItemsExpr, reflect.TypeOf(map[string]string{})}, // the fake read_csv of testFunctions
		{`'["a", "b"]'`, ItemsExpr, nil},                                      // a list of any
		{`'split("a,b", ",")'`, ItemsExpr, stringType},
		{`[a, b]`, ItemsList, nil},
		{`{range: [0, 3]}`, ItemsRange, intType},
		{`{lines: a.txt}`, ItemsLines, stringType},
		{`{glob: "*.csv"}`, ItemsGlob, stringType},
		{`{csv: a.csv}`, ItemsCSV, nil},
		{`{csv: a.csv, schema: s}`, ItemsCSV, table.RowType(&table.Schema{Name: "s", Strict: true, Columns: []table.Column{{Name: "id", Type: table.Int}}})},
		{`{jsonl: a.jsonl}`, ItemsJSONL, nil},
	}
	for _, tt := range tests {
		items := compileText(t, head+"schemas: {s: {columns: {id: int}}}\nitems: "+tt.items+"\nmap: {steps: [{expr: item}]}\n", nil).Items
		if items.Kind != tt.kind || items.ElemType != tt.want {
			t.Errorf("items: %s: kind %q, ElemType %v; want %q, %v", tt.items, items.Kind, items.ElemType, tt.kind, tt.want)
		}
	}
}

func TestCompileRange(t *testing.T) {
	tests := []struct {
		items string
		want  [3]int
	}{
		{"{range: [0, 3]}", [3]int{0, 3, 1}},
		{"{range: [10, 0, -2]}", [3]int{10, 0, -2}},
	}
	for _, tt := range tests {
		if got := compileText(t, head+"items: "+tt.items+"\nmap: {steps: [{expr: item}]}\n", nil).Items.Range; got != tt.want {
			t.Errorf("items: %s: Range %v, want %v", tt.items, got, tt.want)
		}
	}
}

func TestCompileParams(t *testing.T) {
	text := head + "params: {pattern: '*.csv', n: 2, ratio: 0.5, any: null}\nitems: [1]\nmap: {steps: [{expr: item}]}\n"
	plan := compileText(t, text, map[string]string{"n": "7", "ratio": "1", "any": "[x]"})
	want := []ParamValue{{"pattern", "*.csv"}, {"n", 7}, {"ratio", 1.0}, {"any", []any{"x"}}}
	if !reflect.DeepEqual(plan.ParamValues, want) {
		t.Errorf("ParamValues = %#v, want %#v", plan.ParamValues, want)
	}
	_, diags := Load("p.yaml", []byte(text), Options{Params: map[string]string{"n": "many", "patern": "x"}})
	got := diags.Error()
	wantErr := "p.yaml: error: --param patern: unknown parameter \"patern\"\n" +
		"p.yaml:3:31: error: --param n=many: want an integer like the default 2"
	if got != wantErr {
		t.Errorf("bad overrides:\ngot  %s\nwant %s", got, wantErr)
	}
}

func TestPlanNewWorker(t *testing.T) {
	plan := compileText(t, head+`items: [1]
initializer:
  steps:
    - name: offset
      expr: 10
    - name: columns
      expr: '["a"]'
map:
  steps:
    - expr: item + worker.offset + len(worker.columns)
`, nil)
	type worker struct {
		id      int
		offset  any
		columns any
	}
	fields := func(v any) worker {
		rv := reflect.ValueOf(v)
		return worker{int(rv.Field(0).Int()), rv.Field(1).Interface(), rv.Field(2).Interface()}
	}
	tests := []struct {
		name    string
		id      int
		values  map[string]any
		want    worker
		wantErr string
	}{
		{"every value", 3, map[string]any{"offset": 7, "columns": []any{"x", "y"}}, worker{3, 7, []any{"x", "y"}}, ""},
		{"missing and nil values stay zero", 0, map[string]any{"columns": nil}, worker{0, 0, []any(nil)}, ""},
		{"unknown names are ignored", 1, map[string]any{"other": "x"}, worker{1, 0, []any(nil)}, ""},
		{"wrong type", 1, map[string]any{"offset": "ten"}, worker{}, `initializer step "offset" gave a value of type string, but its expression has type int`},
	}
	for _, tt := range tests {
		v, err := plan.NewWorker(tt.id, tt.values)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || v != nil {
				t.Errorf("%s: NewWorker = %v, %v; want nil, %q", tt.name, v, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: NewWorker: %v", tt.name, err)
			continue
		}
		if reflect.TypeOf(v) != plan.WorkerType {
			t.Errorf("%s: NewWorker gave a %T, want the plan's WorkerType %v", tt.name, v, plan.WorkerType)
		}
		if got := fields(v); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: NewWorker = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}
