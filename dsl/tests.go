package dsl

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The tests a pipeline file carries (spec.md §11): each runs the pipeline
// on its own items, with its parameters, injections and stubs, and states
// what must come of it. `poolflow run` ignores them; `poolflow test` runs
// them; `validate` checks them.

// TestsNode is the tests list.
type TestsNode struct {
	Meta
	List []TestNode
}

func (v *TestsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "type", "", "tests must be a list of tests, got %s", kindName(n))
		return
	}
	v.List = make([]TestNode, len(n.Content))
	for i, el := range n.Content {
		d.push("[" + strconv.Itoa(i) + "]")
		d.decodeStruct(el, reflectValue(&v.List[i]))
		d.pop()
	}
}

// TestNode is one test.
type TestNode struct {
	Meta
	Name   StringNode    `key:"name" required:"true" doc:"what the test shows, printed on its line"`
	Items  TestItemsNode `key:"items" doc:"the test's items: a list, or the path of a fixture file of one item a line; default: the pipeline's"`
	Params ParamsNode    `key:"params" doc:"parameter values for the test, as --param gives them"`
	Inject InjectsNode   `key:"inject" doc:"failures to inject, in the grammar of run --inject"`
	Stubs  StubsNode     `key:"stubs" doc:"sh and exec steps that do not run: each step's name and its result, {stdout, stderr, code}"`
	Expect ExpectNode    `key:"expect" required:"true" doc:"what must come of the run"`
}

// TestItemsNode is a test's items: a list in the file, or a fixture path.
type TestItemsNode struct {
	Meta
	List []any
	Path string // a file of one item a line, relative to the pipeline's folder
}

func (v *TestItemsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	switch {
	case n.Kind == yaml.SequenceNode:
		var list []any
		if err := n.Decode(&list); err != nil {
			d.errorf(n, "type", "", "%s: %v", d.where(), err)
		}
		v.List = normalizeYAML(list).([]any)
		if v.List == nil {
			v.List = []any{}
		}
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		v.Path = n.Value
	default:
		d.errorf(n, "type", "write a list of items, or the path of a file of one item a line",
			"%s must be a list or a path, got %s", d.where(), kindName(n))
	}
}

// InjectsNode is a test's list of --inject specs; each keeps its place in
// the file, so that a bad spec is reported there.
type InjectsNode struct {
	Meta
	Specs []ExprNode
}

func (v *InjectsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "type", "", "%s must be a list of specs such as \"map/fetch:index=3;kind=timeout\", got %s", d.where(), kindName(n))
		return
	}
	v.Specs = make([]ExprNode, len(n.Content))
	for i, el := range n.Content {
		d.push("[" + strconv.Itoa(i) + "]")
		d.decodeField(nil, el, reflectValue(&v.Specs[i]), fieldSpec{})
		d.pop()
	}
}

// StubsNode maps step names to the results that replace them.
type StubsNode struct {
	Meta
	List []StubNode
}

// StubNode is one stubbed step: its result, as an sh or exec step gives it.
type StubNode struct {
	Meta
	Step   string     // the step's name
	Stdout StringNode `key:"stdout" doc:"the step's standard output; default empty"`
	Stderr StringNode `key:"stderr" doc:"the step's standard error; default empty"`
	Code   IntNode    `key:"code" min:"0" doc:"the exit status; not 0 fails the step with kind exit; default 0"`
}

func (v *StubsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "type", "", "%s must be a mapping of step names to results, got %s", d.where(), kindName(n))
		return
	}
	for _, p := range d.pairs(n) {
		key := d.resolve(p.key)
		s := StubNode{Step: key.Value}
		d.push(key.Value)
		d.decodeStruct(d.resolve(p.value), reflectValue(&s))
		d.pop()
		s.KeyPos, s.Set = d.src.pos(key), true
		v.List = append(v.List, s)
	}
}

// ExpectNode is what a test wants.
type ExpectNode struct {
	Meta
	Status     IntNode         `key:"status" min:"0" doc:"the exit status: 0 when the run succeeds, 1 when it fails, is aborted or drains"`
	OK         IntNode         `key:"ok" min:"0" doc:"how many items succeeded"`
	Skipped    IntNode         `key:"skipped" min:"0" doc:"how many items were skipped"`
	Failed     IntNode         `key:"failed" min:"0" doc:"how many items failed and ended the run"`
	NotStarted IntNode         `key:"not_started" min:"0" doc:"how many items never started"`
	Retried    IntNode         `key:"retried" min:"0" doc:"how many items took more than one attempt"`
	Items      ExpectItemsNode `key:"items" doc:"per item, by index: its status and attempts"`
	Output     ValueNode       `key:"output" doc:"the value the output would write, as JSON reads it back"`
	Assert     ExprNode        `key:"assert" doc:"a boolean expression over output (and stats) that must hold"`
	Callbacks  StringListNode  `key:"callbacks" doc:"callbacks that must have run at least once: result, error, done"`
}

// ExpectItemsNode maps item indexes to what each must come to.
type ExpectItemsNode struct {
	Meta
	List []ExpectItemNode
}

// ExpectItemNode is one item's expectation.
type ExpectItemNode struct {
	Meta
	Index    int
	Status   WordNode `key:"status" enum:"ok,skipped,failed,cancelled,not-started" doc:"how the item ended"`
	Attempts IntNode  `key:"attempts" min:"0" doc:"how many attempts it took"`
}

func (v *ExpectItemsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "type", "", "%s must be a mapping of item indexes to {status, attempts}, got %s", d.where(), kindName(n))
		return
	}
	for _, p := range d.pairs(n) {
		key := d.resolve(p.key)
		idx, err := strconv.Atoi(key.Value)
		if err != nil || idx < 0 {
			d.errorf(key, "type", "name items by their index, from 0", "%s: %q is not an item index", d.where(), key.Value)
			continue
		}
		e := ExpectItemNode{Index: idx}
		d.push(key.Value)
		d.decodeStruct(d.resolve(p.value), reflectValue(&e))
		d.pop()
		e.KeyPos, e.Set = d.src.pos(key), true
		v.List = append(v.List, e)
	}
}

// ValueNode is any YAML value, as data.
type ValueNode struct {
	Meta
	Value any
}

func (v *ValueNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if err := n.Decode(&v.Value); err != nil {
		d.errorf(n, "type", "", "%s: %v", d.where(), err)
	}
	v.Value = normalizeYAML(v.Value)
}

func (*TestsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "array", "items": objectSchema(reflect.TypeOf(TestNode{}))}
}

func (*TestItemsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"oneOf": []any{
		map[string]any{"type": "array", "description": "the items themselves"},
		map[string]any{"type": "string", "description": "a fixture file of one item a line, relative to the pipeline's folder"},
	}}
}

func (*InjectsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": "^map/[^:]+(:.*)?$"}}
}

func (*StubsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "object", "additionalProperties": objectSchema(reflect.TypeOf(StubNode{}))}
}

func (*ExpectItemsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "object", "propertyNames": map[string]any{"pattern": "^[0-9]+$"},
		"additionalProperties": objectSchema(reflect.TypeOf(ExpectItemNode{}))}
}

func (*ValueNode) jsonSchema(fieldSpec) map[string]any { return map[string]any{} }

// TestFile is a pipeline's sibling test file, FILE.test.yaml beside
// FILE.yaml (TestFileOf): a document with the tests list alone.
type TestFile struct {
	Meta
	Tests TestsNode `key:"tests" required:"true" doc:"tests of the pipeline beside this file, as its own tests: list"`
}

// TestFileOf is the path of the sibling test file of a pipeline file:
// pipeline.yaml → pipeline.test.yaml.
func TestFileOf(file string) string {
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + ".test" + ext
}

// ParseTests reads a sibling test file, keeping positions in it as Parse
// does in a pipeline file.
func ParseTests(file string, text []byte) (*TestFile, error) {
	text = bytes.TrimPrefix(text, []byte("\ufeff"))
	tf := &TestFile{}
	if len(text) > MaxFileSize {
		return tf, Diagnostics{tooLarge(file)}
	}
	d := &decoder{src: newSource(file, text), sizes: map[*yaml.Node]int{}, max: fileStructure}
	if root, ok := d.document(text); ok && d.countNodes(root) {
		d.decodeStruct(root, reflectValue(tf))
	}
	d.diags.Sort()
	return tf, d.diags.Err()
}

// AllTests are the tests of a pipeline: its own tests: list, then those
// of its sibling test file when there is one (sibling is its text, nil
// for none).
func AllTests(file string, text, sibling []byte) ([]TestNode, error) {
	p, err := Parse(file, text)
	if err != nil {
		return nil, err
	}
	tests := p.Tests.List
	if sibling == nil {
		return tests, nil
	}
	tf, err := ParseTests(TestFileOf(file), sibling)
	if err != nil {
		return nil, err
	}
	return append(tests, tf.Tests.List...), nil
}
