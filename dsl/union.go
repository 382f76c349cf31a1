package dsl

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Item source kinds of ItemsNode.Kind.
const (
	ItemsExpr  = "expr"  // a scalar: an expression giving a list
	ItemsList  = "list"  // a YAML sequence: the items themselves
	ItemsRange = "range" // {range: [start, stop, step?]}
	ItemsLines = "lines" // {lines: path}: one item per line
	ItemsGlob  = "glob"  // {glob: pattern}: matching paths, sorted
	ItemsCSV   = "csv"   // {csv: path}: one map per row, keyed by the header
	ItemsJSONL = "jsonl" // {jsonl: path}: one decoded value per line
)

// ItemsNode is the items key in one of its three forms.
type ItemsNode struct {
	Meta
	Kind  string
	Expr  ExprNode     // ItemsExpr
	List  []any        // ItemsList
	Range []int        // ItemsRange: start, stop, step
	Path  TemplateNode // lines, glob, csv, jsonl; "-" for lines is standard input
	Null  bool         // lines: items end with a NUL byte, as find -print0 writes them
	// Schema names the schema of a csv source's rows; "" for none.
	Schema StringNode
}

// itemSourceKeys are the keys of the mapping form, for hints and the schema.
var itemSourceKeys = []string{ItemsRange, ItemsLines, ItemsGlob, ItemsCSV, ItemsJSONL}

// itemOptions are the keys a source mapping may have beside its source
// key, and the sources each belongs to.
var itemOptions = map[string][]string{"null": {ItemsLines}, "schema": {ItemsCSV}}

// StdinPath is the path that names standard input in items: {lines: "-"}.
const StdinPath = "-"

func (v *ItemsNode) decodeNode(d *decoder, n *yaml.Node, f fieldSpec) {
	switch n.Kind {
	case yaml.ScalarNode:
		v.Kind = ItemsExpr
		v.Expr.decodeNode(d, n, f)
		v.Expr.Meta = Meta{Pos: d.src.pos(n), Set: true, Path: d.where()}
	case yaml.SequenceNode:
		v.Kind = ItemsList
		var list []any
		if err := n.Decode(&list); err != nil {
			d.errorf(n, "type", "", "items: %v", err)
		}
		v.List = normalizeYAML(list).([]any)
		if v.List == nil {
			v.List = []any{}
		}
	case yaml.MappingNode:
		v.decodeSource(d, n)
	}
}

// decodeSource reads the mapping form: exactly one source key, and the
// options of that source.
func (v *ItemsNode) decodeSource(d *decoder, n *yaml.Node) {
	var sources, options []pair
	for _, p := range d.pairs(n) {
		if _, ok := itemOptions[d.resolve(p.key).Value]; ok {
			options = append(options, p)
		} else {
			sources = append(sources, p)
		}
	}
	if len(sources) != 1 {
		d.errorf(n, "items-source", "write one of: "+joinKeys(itemSourceKeys),
			"items as a mapping needs exactly one source key, got %d", len(sources))
		return
	}
	v.decodeSourceKey(d, sources[0])
	for _, p := range options {
		v.decodeOption(d, p)
	}
}

// decodeOption reads an option of a source, such as null: true.
func (v *ItemsNode) decodeOption(d *decoder, p pair) {
	key, value := d.resolve(p.key), d.resolve(p.value)
	if !slices.Contains(itemOptions[key.Value], v.Kind) {
		d.errorf(key, "items-source", "", "items: %s applies only to a %s source", key.Value, strings.Join(itemOptions[key.Value], " or "))
		return
	}
	if key.Value == "schema" {
		d.push("schema")
		d.decodeField(key, value, reflectValue(&v.Schema), fieldSpec{Key: "schema"})
		d.pop()
		return
	}
	if value.Kind != yaml.ScalarNode || value.Tag != "!!bool" || value.Decode(&v.Null) != nil {
		d.errorf(value, "type", "", "items.%s must be true or false, got %s", key.Value, kindName(value))
	}
}

func (v *ItemsNode) decodeSourceKey(d *decoder, p pair) {
	key, value := d.resolve(p.key), d.resolve(p.value)
	d.push(key.Value)
	defer d.pop()
	switch key.Value {
	case ItemsRange:
		v.Kind = ItemsRange
		v.decodeRange(d, value)
	case ItemsLines, ItemsGlob, ItemsCSV, ItemsJSONL:
		v.Kind = key.Value
		d.decodeField(key, value, reflectValue(&v.Path), fieldSpec{Key: key.Value})
	default:
		hint := didYouMean(key.Value, itemSourceKeys)
		if hint == "" {
			hint = "write one of: " + joinKeys(itemSourceKeys)
		}
		d.errorf(key, "unknown-key", hint, "unknown item source %q", key.Value)
	}
}

const rangeHint = "write [start, stop] or [start, stop, step]; stop is excluded, as in Python"

func (v *ItemsNode) decodeRange(d *decoder, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode || len(n.Content) < 2 || len(n.Content) > 3 {
		d.errorf(n, "range", rangeHint, "range must be a list of 2 or 3 integers")
		return
	}
	nums := []int{0, 0, 1}
	for i, el := range n.Content {
		x, ok := d.rangeBound(d.resolve(el))
		if !ok {
			return
		}
		nums[i] = x
	}
	if nums[2] == 0 {
		d.errorf(n.Content[2], "range", rangeHint, "range step must not be 0")
		return
	}
	if RangeLength(nums[0], nums[1], nums[2]) > MaxRangeItems {
		d.errorf(n, "range", "split it into smaller ranges", "range has more than %d items", uint64(MaxRangeItems))
		return
	}
	v.Range = nums
}

// rangeBound reads one number of a range: an integer, or a number with
// no fraction (1e18), from math.MinInt64 to math.MaxInt64.
func (d *decoder) rangeBound(n *yaml.Node) (int, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		d.errorf(n, "range", rangeHint, "range must be a list of 2 or 3 integers")
		return 0, false
	}
	var i int
	var f float64
	switch {
	case n.Tag == "!!int" && n.Decode(&i) == nil:
		return i, true
	case n.Tag == "!!float" && n.Decode(&f) == nil && f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64:
		return int(f), true
	}
	d.errorf(n, "range", rangeHint, "range: %s is not an integer from %d to %d", n.Value, math.MinInt64, math.MaxInt64)
	return 0, false
}

// RangeLength is how many integers a range from start to stop (excluded)
// by step yields, computed without overflow: it may be more than an int
// holds.
func RangeLength(start, stop, step int) uint64 {
	switch {
	case step > 0 && start < stop:
		return (uint64(stop)-uint64(start)-1)/uint64(step) + 1
	case step < 0 && start > stop:
		return (uint64(start)-uint64(stop)-1)/(uint64(-(step+1))+1) + 1
	}
	return 0
}

func joinKeys(keys []string) string {
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += k + ":"
	}
	return out
}

// Policy words.
const (
	PolicyAbortAll = "abort-all"
	PolicySkip     = "skip"
	PolicyRetry    = "retry"
	PolicyDrain    = "drain"
)

// PolicyNode is an on_error policy in its short form (a word) or its long
// form (a mapping). One decoder reads both.
type PolicyNode struct {
	Meta
	Short       string          // the word, in the short form
	Retry       *RetryNode      `key:"retry" doc:"retry before giving up: attempts, delay, backoff, max_delay, jitter, when"`
	Then        WordNode        `key:"then" enum:"skip,abort-all,drain" doc:"what to do once retries are spent or do not apply: skip, abort-all, or drain (start no new item, let the running ones finish, fail the run); default abort-all"`
	Fallback    ExprNode        `key:"fallback" doc:"map only, with then: skip: the failed item's result; sees error"`
	MaxFailures MaxFailuresNode `key:"max_failures" doc:"map only, with then: skip: more failed items than this (a count, or a percentage once 10 have finished) aborts the run; or {limit, then: abort-all or drain}"`
}

var policyWords = []string{PolicyAbortAll, PolicySkip, PolicyRetry, PolicyDrain}

func (v *PolicyNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind == yaml.MappingNode {
		d.decodeStruct(n, reflectValue(v))
		return
	}
	text, ok := d.scalarText(n, "a policy")
	if !ok {
		return
	}
	for _, w := range policyWords {
		if text == w {
			v.Short = text
			return
		}
	}
	hint := didYouMean(text, policyWords)
	if hint == "" {
		hint = "use " + oneOf(policyWords) + ", or a mapping with retry and then"
	}
	d.errorf(n, "unknown-word", hint, "unknown policy %q", text)
}

// StepsNode is a stage's list of steps.
type StepsNode struct {
	Meta
	List []StepNode
}

func (v *StepsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "type", "", "%s must be a list of steps, got %s", d.where(), kindName(n))
		return
	}
	if len(n.Content) == 0 {
		d.errorf(n, "empty-steps", "", "%s needs at least one step", d.where())
	}
	steps := n.Content
	if most := d.max.steps; len(steps) > most {
		d.errorf(steps[most], "too-large", "split the work between fewer, bigger steps",
			"%s has more than %d steps", d.where(), most)
		steps = steps[:most]
	}
	v.List = make([]StepNode, len(steps))
	for i, el := range steps {
		d.push("[" + strconv.Itoa(i) + "]")
		d.decodeStruct(el, reflectValue(&v.List[i]))
		d.pop()
	}
}
