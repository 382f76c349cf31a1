package present

import (
	"reflect"
	"strings"
	"time"
)

// schemaOf describes the JSON that encoding/json writes for values of type
// t, as a JSON Schema (draft-07, as the pipeline schema): every field of a
// struct is required but for the few marked omitempty (the items' node
// and runs, only in a distributed run) and no other key is allowed; a pointer may also be null; a field's `enum` tag lists
// the strings it may hold, its `const` tag the one it holds, and its `doc`
// tag describes it. A struct type met more than once becomes a definition,
// referred to by name.
func schemaOf(t reflect.Type, defs map[string]any) map[string]any {
	g := &schemaGen{defs: defs, seen: map[reflect.Type]int{}}
	g.count(t)
	return g.schema(t)
}

type schemaGen struct {
	defs map[string]any
	seen map[reflect.Type]int // how often each struct type appears
}

var timeType = reflect.TypeOf(time.Time{})

// count notes how often each struct type appears under t.
func (g *schemaGen) count(t reflect.Type) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		g.count(t.Elem())
	case reflect.Struct:
		if t == timeType {
			return
		}
		g.seen[t]++
		if g.seen[t] > 1 {
			return
		}
		for _, f := range jsonFields(t) {
			g.count(f.Type)
		}
	}
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return map[string]any{"oneOf": []any{g.schema(t.Elem()), map[string]any{"type": "null"}}}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t == timeType {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		return g.object(t)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{} // any value
}

// object describes a struct, as a definition when it appears more than
// once.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	if g.seen[t] > 1 && t.Name() != "" {
		name := t.Name()
		if _, done := g.defs[name]; !done {
			g.defs[name] = map[string]any{} // placeholder while recursing
			g.defs[name] = g.properties(t)
		}
		return map[string]any{"$ref": "#/definitions/" + name}
	}
	return g.properties(t)
}

func (g *schemaGen) properties(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, f := range jsonFields(t) {
		s := g.schema(f.Type)
		if e := f.Tag.Get("enum"); e != "" {
			s = map[string]any{"type": "string", "enum": strings.Split(e, ",")}
		}
		if c := f.Tag.Get("const"); c != "" {
			s = map[string]any{"const": c}
		}
		if d := f.Tag.Get("doc"); d != "" {
			s["description"] = d
		}
		props[f.name] = s
		if _, opts, _ := strings.Cut(f.Tag.Get("json"), ","); opts != "omitempty" {
			required = append(required, f.name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	reflect.StructField
	name string
}

// jsonFields lists the fields encoding/json writes, embedded structs'
// fields in their place.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-" || (!f.IsExported() && !f.Anonymous):
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			out = append(out, jsonFields(f.Type)...)
			continue
		case name == "":
			name = f.Name
		}
		out = append(out, jsonField{f, name})
	}
	return out
}
