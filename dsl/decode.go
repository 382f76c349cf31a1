package dsl

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// aliasBudget bounds how many nodes alias expansion may visit in one file, so
// that a "billion laughs" file costs nothing.
const aliasBudget = 10000

// decoder walks yaml.Node trees into the types of ast.go, collecting every
// problem instead of stopping at the first.
type decoder struct {
	src      *source
	diags    Diagnostics
	path     []string            // where we are, for messages: map.on_error.retry
	expanded int                 // nodes visited through aliases so far
	overrun  bool                // the alias budget was exceeded (reported once)
	stubs    map[*yaml.Node]bool // the nulls resolve put in place of aliases past the budget
	sizes    map[*yaml.Node]int
	// unknownKeys counts the unknown keys reported, for hintBudget.
	unknownKeys int
	max         structure // the structural maxima to check
}

// Meta records where a value stands in the file. Every node type embeds it.
type Meta struct {
	Pos    Pos    // where the value starts
	KeyPos Pos    // where its key starts; zero for list elements
	Set    bool   // the key was present
	Path   string // where it stands, for messages: map.steps[0].expr
}

func (m *Meta) meta() *Meta { return m }

type hasMeta interface{ meta() *Meta }

// nodeDecoder is implemented by the types that read themselves from YAML.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, f fieldSpec)
}

// fieldSpec is what a struct field's tags say about its key.
type fieldSpec struct {
	Key      string
	Required bool
	Enum     []string
	Min      *int
	Max      *int // from intMaxima, by key
	Share    bool
	Doc      string
	Index    []int
}

func (d *decoder) report(sev Severity, pos Pos, span int, code, hint, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{Pos: pos, Span: span, Severity: sev, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint})
}

// errorf reports an error at node n, underlining a scalar's text. It says
// nothing about a null that stands for an alias past the budget, whose error
// is already reported.
func (d *decoder) errorf(n *yaml.Node, code, hint, format string, args ...any) {
	if d.stubs[n] {
		return
	}
	d.report(SeverityError, d.src.pos(n), scalarSpan(n), code, hint, format, args...)
}

// scalarSpan is how many characters of n to underline.
func scalarSpan(n *yaml.Node) int {
	if n.Kind != yaml.ScalarNode || strings.Contains(n.Value, "\n") {
		return 1
	}
	span := len([]rune(n.Value))
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		span += 2
	}
	return max(span, 1)
}

// where names the current place for messages, such as "map.on_error".
func (d *decoder) where() string {
	if len(d.path) == 0 {
		return "the pipeline"
	}
	return strings.ReplaceAll(strings.Join(d.path, "."), ".[", "[")
}

func (d *decoder) push(key string) { d.path = append(d.path, key) }
func (d *decoder) pop()            { d.path = d.path[:len(d.path)-1] }

// resolve follows aliases within the budget; past it, it reports once and
// returns a null node so decoding goes on harmlessly.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.expanded += d.size(n.Alias)
		if d.expanded > aliasBudget {
			if !d.overrun {
				d.overrun = true
				d.errorf(n, "alias-budget", "use fewer or smaller aliases",
					"aliases expand to more than %d nodes", aliasBudget)
			}
			stub := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
			if d.stubs == nil {
				d.stubs = map[*yaml.Node]bool{}
			}
			d.stubs[stub] = true
			return stub
		}
		n = n.Alias
	}
	return n
}

// size counts the nodes under n, through aliases, memoised and capped so
// that counting itself stays cheap on a hostile file.
func (d *decoder) size(n *yaml.Node) int {
	if s, ok := d.sizes[n]; ok {
		return s
	}
	d.sizes[n] = aliasBudget + 1 // a cycle counts as too big
	total := 1
	for _, c := range n.Content {
		if c.Kind == yaml.AliasNode {
			total += d.size(c.Alias)
		} else {
			total += d.size(c)
		}
		if total > aliasBudget {
			break
		}
	}
	d.sizes[n] = total
	return total
}

// kindName names what a node holds, for "must be X, got Y" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "nothing"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	}
	return fmt.Sprintf("%q", n.Value)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// pair is one key and value of a mapping.
type pair struct{ key, value *yaml.Node }

// pairs returns a mapping's entries with merge keys (<<) expanded; explicit
// keys win over merged ones, as YAML says. It reports duplicate keys, which
// yaml.v3 accepts silently when decoding into nodes.
func (d *decoder) pairs(n *yaml.Node) []pair {
	var out []pair
	seen := map[string]*yaml.Node{}
	var merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			merged = append(merged, d.mergeSource(v)...)
			continue
		}
		if first, dup := seen[k.Value]; dup && k.Kind == yaml.ScalarNode {
			d.errorf(k, "duplicate-key", "remove one of them", "duplicate key %q in %s (first at line %d)", k.Value, d.where(), first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, v})
	}
	for _, p := range merged {
		if _, ok := seen[p.key.Value]; !ok {
			seen[p.key.Value] = p.key
			out = append(out, p)
		}
	}
	return out
}

// mergeSource returns the entries a merge key brings in.
func (d *decoder) mergeSource(v *yaml.Node) []pair {
	v = d.resolve(v)
	switch v.Kind {
	case yaml.MappingNode:
		return d.pairs(v)
	case yaml.SequenceNode:
		var out []pair
		for _, m := range v.Content {
			out = append(out, d.mergeSource(m)...)
		}
		return out
	}
	d.errorf(v, "type", "", "a merge key (<<) needs a mapping, got %s", kindName(v))
	return nil
}

// fieldCache holds fieldsOf's answer for each type: the parser asks for
// every mapping it reads, and reflection is not free.
var fieldCache sync.Map // reflect.Type → []fieldSpec

// fieldsOf lists the keyed fields of a struct type, embedded ones included.
// The slice is shared: callers must not change it.
func fieldsOf(t reflect.Type) []fieldSpec {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]fieldSpec)
	}
	fields := readFields(t)
	fieldCache.Store(t, fields)
	return fields
}

// readFields reads the key tags of a struct type's fields.
func readFields(t reflect.Type) []fieldSpec {
	var out []fieldSpec
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Type != reflect.TypeOf(Meta{}) {
			for _, inner := range fieldsOf(sf.Type) {
				inner.Index = append([]int{i}, inner.Index...)
				out = append(out, inner)
			}
			continue
		}
		key := sf.Tag.Get("key")
		if key == "" || key == "-" {
			continue
		}
		f := fieldSpec{Key: key, Required: sf.Tag.Get("required") == "true", Share: sf.Tag.Get("share") == "true",
			Doc: sf.Tag.Get("doc"), Index: []int{i}}
		if e := sf.Tag.Get("enum"); e != "" {
			f.Enum = strings.Split(e, ",")
		}
		if m := sf.Tag.Get("min"); m != "" {
			v, _ := strconv.Atoi(m)
			f.Min = &v
		}
		if m, ok := intMaxima[key]; ok {
			f.Max = &m.max
		}
		out = append(out, f)
	}
	return out
}

// keysOf lists the keys of a struct type, sorted. The slice is shared:
// callers must not change it.
func keysOf(t reflect.Type) []string {
	if k, ok := keyCache.Load(t); ok {
		return k.([]string)
	}
	keys := sortedKeysOf(fieldsOf(t))
	keyCache.Store(t, keys)
	return keys
}

// keyCache holds keysOf's answer for each type.
var keyCache sync.Map // reflect.Type → []string

func sortedKeysOf(fields []fieldSpec) []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.Key
	}
	sort.Strings(keys)
	return keys
}

// decodeStruct reads a mapping into the struct v points to, by its key tags.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value) {
	n = d.resolve(n)
	if m, ok := v.Addr().Interface().(hasMeta); ok {
		m.meta().Pos = d.src.pos(n)
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "type", "", "%s must be a mapping, got %s", d.where(), kindName(n))
		return
	}
	fields := fieldsOf(v.Type())
	present := map[string]bool{}
	for _, p := range d.pairs(n) {
		key := d.resolve(p.key)
		f, ok := findField(fields, key.Value)
		if !ok {
			d.unknownKey(key, v.Type())
			continue
		}
		present[f.Key] = true
		d.push(f.Key)
		d.decodeField(key, p.value, v.FieldByIndex(f.Index), f)
		d.pop()
	}
	for _, f := range fields {
		if f.Required && !present[f.Key] {
			d.errorf(n, "missing-key", "", "%s is missing the required key %q", d.where(), f.Key)
		}
	}
}

func findField(fields []fieldSpec, key string) (fieldSpec, bool) {
	for _, f := range fields {
		if f.Key == key {
			return f, true
		}
	}
	return fieldSpec{}, false
}

// hintBudget is how many unknown keys, and how many undefined names, get
// a "did you mean" hint, which measures the word against every known one:
// far more than are shown (MaxDiagnostics), so that a file of 200,000
// unknown keys is still answered at once.
const hintBudget = 10 * MaxDiagnostics

func (d *decoder) unknownKey(key *yaml.Node, t reflect.Type) {
	keys := keysOf(t)
	hint := elsewhere(key.Value)
	if d.unknownKeys++; hint == "" && d.unknownKeys <= hintBudget {
		hint = didYouMean(key.Value, keys)
	}
	if hint == "" {
		hint = "known keys: " + strings.Join(keys, ", ")
	}
	d.errorf(key, "unknown-key", hint, "unknown key %q in %s", key.Value, d.where())
}

// elsewhere says where a key that does not belong here belongs, such as
// steps written at the top level: "steps belongs under map, initializer or a
// callback".
func elsewhere(key string) string { return keyHomes()[key] }

// keyHomes maps every key of a key group to the hint elsewhere gives for
// it, built once: an unknown key costs one lookup.
var keyHomes = sync.OnceValue(func() map[string]string {
	places := map[string][]string{}
	for t, group := range keyGroups {
		for _, f := range fieldsOf(t) {
			_, inStage := findField(fieldsOf(stageType), f.Key)
			if group != "" && !(group == "map" && inStage) { // map's stage keys are a stage's
				places[f.Key] = append(places[f.Key], groupPlace[group])
			}
		}
	}
	hints := make(map[string]string, len(places))
	for key, p := range places {
		sort.Strings(p)
		hints[key] = fmt.Sprintf("%s belongs in %s", key, strings.Join(slices.Compact(p), " or "))
	}
	return hints
})

// groupPlace names a key group for people.
var groupPlace = map[string]string{
	"stage": "a stage (initializer, map, callbacks.*)", "map": "map", "callbacks": "callbacks",
	"step": "a step", "on_error": "on_error", "on_error.retry": "on_error.retry", "output": "output",
	"limits": "limits", "output.fold": "output.fold", "schema": "a schema of schemas", "column": "a column of a schema",
}

// decodeField reads value into the field fv, which is a node type, a struct,
// or a pointer to a struct.
func (d *decoder) decodeField(key, value *yaml.Node, fv reflect.Value, f fieldSpec) {
	if fv.Kind() == reflect.Pointer {
		fv.Set(reflect.New(fv.Type().Elem()))
		fv = fv.Elem()
	}
	value = d.resolve(value)
	if nd, ok := fv.Addr().Interface().(nodeDecoder); ok {
		nd.decodeNode(d, value, f)
	} else {
		d.decodeStruct(value, fv)
	}
	if m, ok := fv.Addr().Interface().(hasMeta); ok {
		m.meta().Set = true
		m.meta().Path = d.where()
		if key != nil {
			m.meta().KeyPos = d.src.pos(key)
		}
		if !m.meta().Pos.IsValid() {
			m.meta().Pos = d.src.pos(value)
		}
	}
}
