package dsl

import (
	"reflect"
	"slices"
)

// Schema returns a JSON Schema (draft-07, which common YAML editor
// extensions support) of the pipeline format, generated from the same node
// types and struct tags the parser reads, so the two cannot disagree on
// keys. Expressions are only checked as scalars: their meaning is checked
// by `poolflow validate`.
func Schema() map[string]any {
	s := objectSchema(reflect.TypeOf(Pipeline{}))
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["title"] = "poolflow pipeline"
	s["definitions"] = map[string]any{
		"stage":  objectSchema(reflect.TypeOf(StageNode{})),
		"step":   stepSchema(),
		"policy": policySchema(),
	}
	return s
}

// schemaer is implemented by node types that describe their own values.
type schemaer interface {
	jsonSchema(f fieldSpec) map[string]any
}

var (
	stageType  = reflect.TypeOf(StageNode{})
	policyType = reflect.TypeOf(PolicyNode{})
)

// objectSchema describes a struct of keyed fields as a closed object.
func objectSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range fieldsOf(t) {
		ft := t.FieldByIndex(f.Index).Type
		props[f.Key] = fieldSchema(ft, f)
		if f.Required {
			required = append(required, f.Key)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// fieldSchema describes one field's value, with its doc line.
func fieldSchema(t reflect.Type, f fieldSpec) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var s map[string]any
	switch {
	case t == stageType:
		s = map[string]any{"$ref": "#/definitions/stage"}
	case t == policyType:
		s = map[string]any{"$ref": "#/definitions/policy"}
	case reflect.PointerTo(t).Implements(reflect.TypeOf((*schemaer)(nil)).Elem()):
		s = reflect.New(t).Interface().(schemaer).jsonSchema(f)
	default:
		s = objectSchema(t)
	}
	if f.Doc != "" {
		s["description"] = f.Doc
	}
	return s
}

var (
	scalarSchema   = map[string]any{"type": []string{"string", "number", "boolean"}}
	durationRegexp = `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$`
	percentRegexp  = `^[0-9]+(\.[0-9]+)?%$`
)

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (*StringNode) jsonSchema(fieldSpec) map[string]any { return clone(scalarSchema) }
func (*ExprNode) jsonSchema(fieldSpec) map[string]any   { return clone(scalarSchema) }
func (*TemplateNode) jsonSchema(fieldSpec) map[string]any {
	return clone(scalarSchema)
}

func (*IntNode) jsonSchema(f fieldSpec) map[string]any {
	s := map[string]any{"type": "integer"}
	if f.Min != nil {
		s["minimum"] = *f.Min
	}
	if f.Max != nil {
		s["maximum"] = *f.Max
	}
	return s
}

func (*DurationNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "string", "pattern": durationRegexp}
}

func (*WordNode) jsonSchema(f fieldSpec) map[string]any {
	return map[string]any{"type": "string", "enum": f.Enum}
}

func (*PercentNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "string", "pattern": percentRegexp}
}

func (*ThresholdNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"oneOf": []any{
		map[string]any{"type": "integer", "minimum": 0},
		map[string]any{"type": "string", "pattern": percentRegexp},
	}}
}

func (*MaxFailuresNode) jsonSchema(f fieldSpec) map[string]any {
	short := (*ThresholdNode)(nil).jsonSchema(f)["oneOf"].([]any)
	return map[string]any{"oneOf": append(short, objectSchema(reflect.TypeOf(MaxFailuresNode{})))}
}

func (*StringListNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
}

func (*TemplateListNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "array", "minItems": 1, "items": clone(scalarSchema)}
}

func (*ParamsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "object", "maxProperties": MaxParams, "propertyNames": map[string]any{"pattern": identifier.String()}}
}

func (*StepsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "array", "minItems": 1, "maxItems": MaxSteps, "items": map[string]any{"$ref": "#/definitions/step"}}
}

func (*ItemsNode) jsonSchema(fieldSpec) map[string]any {
	sources := []any{}
	for _, k := range itemSourceKeys {
		value := clone(scalarSchema)
		if k == ItemsRange {
			value = map[string]any{"type": "array", "minItems": 2, "maxItems": 3, "items": map[string]any{"type": "integer"}}
		}
		props := map[string]any{k: value}
		for opt, of := range itemOptions {
			if slices.Contains(of, k) {
				props[opt] = itemOptionSchema[opt]
			}
		}
		sources = append(sources, map[string]any{"type": "object", "required": []string{k},
			"properties": props, "additionalProperties": false})
	}
	return map[string]any{"oneOf": []any{
		map[string]any{"type": []string{"string", "number"}, "description": "an expression giving a list"},
		map[string]any{"type": "array", "description": "the items themselves"},
		map[string]any{"oneOf": sources, "description": "a streamed source"},
	}}
}

// stepSchema is a step: a closed object with exactly one action.
func stepSchema() map[string]any {
	s := objectSchema(reflect.TypeOf(StepNode{}))
	var one []any
	for _, action := range []string{"expr", "sh", "exec", "assert"} {
		one = append(one, map[string]any{"required": []string{action}})
	}
	s["oneOf"] = one
	return s
}

// policySchema is on_error: a word, or the long form.
func policySchema() map[string]any {
	return map[string]any{"oneOf": []any{
		map[string]any{"type": "string", "enum": policyWords},
		objectSchema(policyType),
	}}
}

// itemOptionSchema describes the value of each option of a source.
var itemOptionSchema = map[string]map[string]any{
	"null":   {"type": "boolean"},
	"schema": {"type": "string", "description": "the name of a schema of schemas"},
}

func (*BoolNode) jsonSchema(fieldSpec) map[string]any { return map[string]any{"type": "boolean"} }

func (*SchemasNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "object", "propertyNames": map[string]any{"pattern": identifier.String()},
		"additionalProperties": objectSchema(reflect.TypeOf(SchemaNode{}))}
}

func (*ColumnsNode) jsonSchema(fieldSpec) map[string]any {
	column := objectSchema(reflect.TypeOf(ColumnNode{}))
	return map[string]any{"type": "object", "minProperties": 1, "additionalProperties": map[string]any{"oneOf": []any{
		map[string]any{"type": "string", "enum": columnTypes}, column}}}
}

func (*ColumnNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"oneOf": []any{map[string]any{"type": "string", "enum": columnTypes},
		objectSchema(reflect.TypeOf(ColumnNode{}))}}
}

func (*UniqueNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": []string{"boolean", "string"}}
}
