package dsl_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/dsl"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const schemaFile = "../schema/pipeline.schema.json"

// SchemaJSON is the schema as `poolflow schema` prints it and as it is
// checked in.
func schemaJSON(t *testing.T) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(dsl.Schema()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSchemaFileIsCurrent keeps schema/pipeline.schema.json equal to what
// dsl.Schema generates from the parser's types; -update rewrites it.
func TestSchemaFileIsCurrent(t *testing.T) {
	want := schemaJSON(t)
	if *update {
		if err := os.WriteFile(schemaFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; run go test ./dsl -run TestSchemaFileIsCurrent -update", schemaFile)
	}
}

// compileSchema compiles the generated schema with a draft-07 validator.
func compileSchema(t *testing.T) *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("pipeline.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("pipeline.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// asJSONValue decodes YAML and re-encodes it as JSON would, which is what
// the validator and editors see.
func asJSONValue(t *testing.T, src []byte) any {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(stringKeys(v))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stringKeys writes the keys of YAML mappings as JSON has them, strings:
// `3: {status: ok}` of a test's expect.items is {"3": ...} to an editor.
func stringKeys(v any) any {
	switch x := v.(type) {
	case map[any]any:
		out := map[string]any{}
		for k, e := range x {
			out[fmt.Sprint(k)] = stringKeys(e)
		}
		return out
	case map[string]any:
		for k, e := range x {
			x[k] = stringKeys(e)
		}
	case []any:
		for i, e := range x {
			x[i] = stringKeys(e)
		}
	}
	return v
}

// TestExamplesMatchSchema validates every example pipeline against the
// schema and checks that each carries the yaml-language-server modeline.
func TestExamplesMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	files, _ := filepath.Glob("../examples/*/*.yaml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(src), "# yaml-language-server: $schema=../../schema/pipeline.schema.json\n") {
			t.Errorf("%s: first line is not the schema modeline", f)
		}
		if err := sch.Validate(asJSONValue(t, src)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestSchemaRejectsWhatTheParserRejects spot-checks that the schema says no
// where the parser does: unknown keys, two actions, bad words.
func TestSchemaRejectsWhatTheParserRejects(t *testing.T) {
	sch := compileSchema(t)
	base := "version: 1\nname: x\nitems: [1]\nmap:\n  steps:\n    - expr: item\n"
	bad := map[string]string{
		"unknown key":     base + "wokers: 2\n",
		"two actions":     "version: 1\nname: x\nitems: [1]\nmap:\n  steps:\n    - {expr: item, sh: ls}\n",
		"no action":       "version: 1\nname: x\nitems: [1]\nmap:\n  steps:\n    - {name: a}\n",
		"bad order":       base + "order: random\n",
		"bad duration":    base + "timeout: 10 minutes\n",
		"bad policy word": "version: 1\nname: x\nitems: [1]\nmap:\n  steps: [{expr: item}]\n  on_error: ignore\n",
		"missing map":     "version: 1\nname: x\nitems: [1]\n",
		"workers 0":       base + "workers: 0\n",
		"two sources":     "version: 1\nname: x\nitems: {lines: a, glob: b}\nmap:\n  steps: [{expr: item}]\n",
	}
	for name, src := range bad {
		if err := sch.Validate(asJSONValue(t, []byte(src))); err == nil {
			t.Errorf("%s: the schema accepts:\n%s", name, src)
		}
	}
	if err := sch.Validate(asJSONValue(t, []byte(base))); err != nil {
		t.Errorf("the schema rejects a minimal pipeline: %v", err)
	}
}
