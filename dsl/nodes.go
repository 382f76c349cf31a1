package dsl

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// scalarText checks that n is a non-null scalar and returns its text.
func (d *decoder) scalarText(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, "type", "", "%s must be %s, got %s", d.where(), what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// StringNode is a string value.
type StringNode struct {
	Meta
	Value string
}

func (s *StringNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	s.Value, _ = d.scalarText(n, "a string")
}

// IntNode is an integer value.
type IntNode struct {
	Meta
	Value int
}

// digits matches an integer written in decimal, which YAML reads as a
// float when it does not fit in 64 bits.
var digits = regexp.MustCompile(`^[-+]?[0-9]+$`)

func (v *IntNode) decodeNode(d *decoder, n *yaml.Node, f fieldSpec) {
	big := n.Kind == yaml.ScalarNode && n.Tag == "!!float" && digits.MatchString(n.Value)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && !big) {
		d.errorf(n, "type", "", "%s must be an integer, got %s", d.where(), kindName(n))
		return
	}
	overflow := big || n.Decode(&v.Value) != nil // an integer past int64
	if overflow {
		v.Value = math.MaxInt
		if strings.HasPrefix(n.Value, "-") {
			v.Value = math.MinInt
		}
	}
	switch {
	case f.Min != nil && v.Value < *f.Min:
		d.errorf(n, "range", "", "%s must be at least %d, got %s", d.where(), *f.Min, n.Value)
	case f.Max != nil && v.Value > *f.Max:
		d.errorf(n, "range", maxHint(f.Key), "%s must be at most %d, got %s", d.where(), *f.Max, n.Value)
		v.Value = *f.Max
	case overflow:
		d.errorf(n, "range", "", "%s is out of range, got %s", d.where(), n.Value)
	}
}

// DurationNode is a duration written as Go does: 500ms, 30s, 10m, 1h30m.
type DurationNode struct {
	Meta
	Value time.Duration
}

const durationHint = "write a number and a unit, such as 500ms, 30s, 10m or 1h"

func (v *DurationNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	text, ok := d.scalarText(n, "a duration")
	if !ok {
		return
	}
	dur, err := time.ParseDuration(strings.TrimSpace(text))
	switch {
	case err != nil:
		d.errorf(n, "duration", durationHint, "%s: bad duration %q", d.where(), text)
	case dur < 0:
		d.errorf(n, "duration", "", "%s must not be negative, got %s", d.where(), text)
	default:
		v.Value = dur
	}
}

// WordNode is one word out of a closed list, given by the field's enum tag.
type WordNode struct {
	Meta
	Value string
}

func (v *WordNode) decodeNode(d *decoder, n *yaml.Node, f fieldSpec) {
	text, ok := d.scalarText(n, "a word")
	if !ok {
		return
	}
	for _, w := range f.Enum {
		if text == w {
			v.Value = text
			return
		}
	}
	hint := didYouMean(text, f.Enum)
	if hint == "" {
		hint = "use " + oneOf(f.Enum)
	}
	d.errorf(n, "unknown-word", hint, "unknown %s %q", f.Key, text)
}

// PercentNode is a share written as a percentage, such as 20%.
type PercentNode struct {
	Meta
	Value float64 // 0.2 for 20%
}

func (v *PercentNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	text, ok := d.scalarText(n, "a percentage")
	if !ok {
		return
	}
	p, ok := parsePercent(text)
	if !ok {
		d.errorf(n, "percent", "write a percentage from 0% to 100%, such as 20%", "%s: bad percentage %q", d.where(), text)
		return
	}
	v.Value = p
}

func parsePercent(text string) (float64, bool) {
	num, ok := strings.CutSuffix(strings.TrimSpace(text), "%")
	if !ok {
		return 0, false
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || p < 0 || p > 100 {
		return 0, false
	}
	return p / 100, true
}

// ThresholdNode is a count (5) or a share of the items finished so far (5%).
type ThresholdNode struct {
	Meta
	Count     int
	Share     float64
	IsPercent bool
}

func (v *ThresholdNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	const hint = "write a count such as 5, or a percentage such as 5%"
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if n.Decode(&v.Count) != nil || v.Count < 0 {
			d.errorf(n, "range", hint, "%s must be a count of at least 0, got %s", d.where(), n.Value)
		}
		return
	}
	text, ok := d.scalarText(n, "a count or a percentage")
	if !ok {
		return
	}
	if p, ok := parsePercent(text); ok {
		v.Share, v.IsPercent = p, true
		return
	}
	d.errorf(n, "percent", hint, "%s: bad count or percentage %q", d.where(), text)
}

// MaxFailuresNode is on_error.max_failures: a threshold alone (5, 5%),
// which aborts the run when passed, or a mapping that also says what
// passing it does: {limit: 5%, then: drain}.
type MaxFailuresNode struct {
	Meta
	Limit ThresholdNode `key:"limit" required:"true" doc:"the failure budget: a count, or a percentage of the items finished"`
	Then  WordNode      `key:"then" enum:"abort-all,drain" doc:"what passing the budget during the run does: abort-all (cancel the running items) or drain (let them finish); default abort-all"`
}

func (v *MaxFailuresNode) decodeNode(d *decoder, n *yaml.Node, f fieldSpec) {
	if n.Kind == yaml.MappingNode {
		d.decodeStruct(n, reflectValue(v))
		return
	}
	d.decodeField(nil, n, reflectValue(&v.Limit), f)
}

// StringListNode is a list of strings.
type StringListNode struct {
	Meta
	Values []StringNode
}

func (v *StringListNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "type", "", "%s must be a list, got %s", d.where(), kindName(n))
		return
	}
	for _, el := range n.Content {
		var s StringNode
		d.decodeField(nil, el, reflectValue(&s), fieldSpec{})
		v.Values = append(v.Values, s)
	}
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Param is one parameter and its default.
type Param struct {
	Meta
	Name  string
	Value any // as YAML decodes it: string, int, float64, bool, []any, map[string]any or nil
}

// ParamsNode is the params mapping, in file order.
type ParamsNode struct {
	Meta
	List []Param
}

func (v *ParamsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "type", "", "params must be a mapping of names to default values, got %s", kindName(n))
		return
	}
	pairs := d.pairs(n)
	if most := d.max.params; len(pairs) > most {
		d.errorf(pairs[most].key, "too-large", "pass large data in a file the items or a builtin read",
			"params has more than %d parameters", most)
		pairs = pairs[:most]
	}
	for _, p := range pairs {
		key, value := d.resolve(p.key), d.resolve(p.value)
		if !identifier.MatchString(key.Value) {
			d.errorf(key, "name", "use letters, digits and _, not starting with a digit", "bad parameter name %q", key.Value)
			continue
		}
		param := Param{Meta: Meta{Pos: d.src.pos(value), KeyPos: d.src.pos(key), Set: true}, Name: key.Value}
		if err := value.Decode(&param.Value); err != nil {
			d.errorf(value, "type", "", "params.%s: %v", key.Value, err)
		}
		param.Value = normalizeYAML(param.Value)
		v.List = append(v.List, param)
	}
}

// Lookup returns the parameter called name.
func (v *ParamsNode) Lookup(name string) (Param, bool) {
	for _, p := range v.List {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// normalizeYAML turns the map[string]interface{} yaml.v3 yields for
// mappings with non-string keys into map[string]any, so every mapping an
// expression sees has one shape.
func normalizeYAML(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = normalizeYAML(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalizeYAML(x[k])
		}
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return m
	}
	return v
}

// reflectValue returns the value p points to, for decodeField.
func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
