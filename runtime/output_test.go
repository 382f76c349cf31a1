package runtime

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOutputFormats(t *testing.T) {
	const rows = `'[{"b": 2, "a": "x,y"}, {"c": true, "a": 1}, {"b": nil}]'`
	tests := []struct {
		name, output, want string
	}{
		{"json", "value: " + rows + "\n  format: json",
			"[\n  {\n    \"a\": \"x,y\",\n    \"b\": 2\n  },\n  {\n    \"a\": 1,\n    \"c\": true\n  },\n  {\n    \"b\": null\n  }\n]\n"},
		{"json of results", "format: json", "[\n  0,\n  1,\n  2\n]\n"},
		{"jsonl", "value: " + rows + "\n  format: jsonl",
			"{\"a\":\"x,y\",\"b\":2}\n{\"a\":1,\"c\":true}\n{\"b\":null}\n"},
		{"jsonl of a scalar", "value: '{\"n\": len(results)}'\n  format: jsonl", "{\"n\":3}\n"},
		{"csv sorted union", "value: " + rows + "\n  format: csv",
			"a,b,c\n\"x,y\",2,\n1,,true\n,,\n"},
		{"csv columns", "value: " + rows + "\n  format: csv\n  columns: [c, a]",
			"c,a\n,\"x,y\"\ntrue,1\n,\n"},
		{"csv of string maps", "value: '[{\"k\": \"v\"}]'\n  format: csv", "k\nv\n"},
		{"text", "value: '[\"a b\", 1, 2.5, true, nil, [1, 2], {\"k\": \"v\"}]'\n  format: text",
			"a b\n1\n2.5\ntrue\n\n[1,2]\n{\"k\":\"v\"}\n"},
		{"text of a scalar", "value: '\"one line\"'\n  format: text", "one line\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, _ := runYAML(t, `version: 1
name: t
workers: 2
items: {range: [0, 3]}
map:
  steps:
    - expr: item
output:
  `+tt.output+`
`)
			if o.err != nil {
				t.Fatalf("Run: %v", o.err)
			}
			if o.stdout != tt.want {
				t.Errorf("output =\n%q\nwant\n%q", o.stdout, tt.want)
			}
			if o.sum.Output != "-" {
				t.Errorf("Summary.Output = %q, want -", o.sum.Output)
			}
		})
	}
}

func TestOutputToFile(t *testing.T) {
	tests := []struct{ to, want string }{
		{"out.json", "[\n  \"a\",\n  \"b\"\n]\n"},
		{"out.jsonl", "\"a\"\n\"b\"\n"},
		{"out.txt", "a\nb\n"},
		{"out.data", "[\n  \"a\",\n  \"b\"\n]\n"},
		{"sub/${params.name}.txt", "a\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			plan := loadPlan(t, dir, `version: 1
name: t
params: {name: named}
items: [a, b]
map:
  steps:
    - expr: item
output:
  to: "`+tt.to+`"
`)
			o := testRun{t: t, plan: plan}.run()
			if o.err != nil {
				t.Fatalf("Run: %v", o.err)
			}
			if o.stdout != "" {
				t.Errorf("stdout = %q, want nothing", o.stdout)
			}
			path := replaceOnce(tt.to, "${params.name}", "named")
			if want := filepath.Join(dir, path); o.sum.Output != want {
				t.Errorf("Summary.Output = %q, want %q (resolved against the pipeline's folder)", o.sum.Output, want)
			}
			b, err := os.ReadFile(filepath.Join(dir, path))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("%s =\n%q\nwant\n%q", path, b, tt.want)
			}
			if fi, _ := os.Stat(filepath.Join(dir, path)); fi.Mode().Perm() != 0o644 {
				t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
			}
			checkNoTempFiles(t, filepath.Dir(filepath.Join(dir, path)))
		})
	}
}

func TestOutputCSVNotMap(t *testing.T) {
	dir := t.TempDir()
	old := "old contents\n"
	writeTestFile(t, filepath.Join(dir, "out.csv"), old)
	plan := loadPlan(t, dir, `version: 1
name: t
items: [1, 2]
map:
  steps:
    - expr: '{"n": item}'
output:
  value: 'concat(results, [7])'
  to: out.csv
`)
	o := testRun{t: t, plan: plan}.run()
	e := abortError(t, o.err)
	want := errView{Kind: KindOutput, Message: "csv output: element 2: want a row or a map, got int", Subject: Subject{Stage: "output", Index: -1, Worker: -1}, Pos: plan.Output.Pos}
	checkError(t, e, want)
	if got, want := o.err.Error(), "run aborted: output: csv output: element 2: want a row or a map, got int"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
	if got := readTestFile(t, filepath.Join(dir, "out.csv")); got != old {
		t.Errorf("out.csv = %q after a failed output, want it unchanged: %q", got, old)
	}
	checkNoTempFiles(t, dir)
	if o.sum.Output != "" {
		t.Errorf("Summary.Output = %q, want none", o.sum.Output)
	}
}

func TestOutputNotWrittenWhenAborted(t *testing.T) {
	for _, existing := range []bool{false, true} {
		dir := t.TempDir()
		old := "[\"old\"]\n"
		if existing {
			writeTestFile(t, filepath.Join(dir, "out.json"), old)
		}
		plan := loadPlan(t, dir, `version: 1
name: t
workers: 2
items: {range: [0, 10]}
map:
  steps:
    - expr: 'index == 7 ? fail("bad") : index'
output:
  to: out.json
`)
		o := testRun{t: t, plan: plan}.run()
		abortError(t, o.err)
		_, err := os.Stat(filepath.Join(dir, "out.json"))
		switch {
		case existing && readTestFile(t, filepath.Join(dir, "out.json")) != old:
			t.Errorf("out.json changed by an aborted run")
		case !existing && !os.IsNotExist(err):
			t.Errorf("out.json written by an aborted run (stat: %v)", err)
		}
		checkNoTempFiles(t, dir)
	}
}

func TestOutputValueFails(t *testing.T) {
	dir := t.TempDir()
	plan := loadPlan(t, dir, `version: 1
name: t
items: [1]
map:
  steps:
    - expr: item
output:
  value: 'fail("no output today")'
  to: out.json
`)
	o := testRun{t: t, plan: plan}.run()
	e := abortError(t, o.err)
	if e.Kind != KindOutput || e.Message() != "no output today" {
		t.Errorf("error: kind %s, message %q; want output, %q", e.Kind, e.Message(), "no output today")
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); !os.IsNotExist(err) {
		t.Errorf("out.json exists (stat: %v)", err)
	}
}

// checkNoTempFiles fails when a temporary output file is left in dir.
func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, n := range names {
		if filepath.Ext(n) == ".tmp" || n[0] == '.' {
			t.Errorf("temporary file left behind in %s: %q (all: %q)", dir, n, names)
		}
	}
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readTestFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOutputFailsHalfWay(t *testing.T) {
	// The last line cannot be encoded (NaN is not JSON) after 200 kB were
	// written, more than the write buffer holds: the existing file stays
	// as it was and no temporary file is left.
	dir := t.TempDir()
	old := "old\n"
	writeTestFile(t, filepath.Join(dir, "out.jsonl"), old)
	plan := loadPlan(t, dir, `version: 1
name: t
items: [0]
map:
  steps:
    - expr: item
output:
  value: 'concat(map(1..20000, "line of text"), [results[0] / 0.0 * 0])'
  to: out.jsonl
`)
	o := testRun{t: t, plan: plan}.run()
	e := abortError(t, o.err)
	if e.Kind != KindOutput || e.Message() != "json: unsupported value: NaN" {
		t.Errorf("error: kind %s, message %q; want output, %q", e.Kind, e.Message(), "json: unsupported value: NaN")
	}
	if got := readTestFile(t, filepath.Join(dir, "out.jsonl")); got != old {
		t.Errorf("out.jsonl = %q, want it unchanged: %q", got, old)
	}
	checkNoTempFiles(t, dir)
}
