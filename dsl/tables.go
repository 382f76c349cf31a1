package dsl

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/poolflow/poolflow/table"
	"gopkg.in/yaml.v3"
)

// SchemasNode is the top-level schemas mapping: named table schemas, in
// file order, that read_csv and items: {csv} refer to by name.
type SchemasNode struct {
	Meta
	List []NamedSchema
}

// NamedSchema is one entry of schemas.
type NamedSchema struct {
	Name   string
	Pos    Pos // of the name
	Schema SchemaNode
}

// SchemaNode is one table schema.
type SchemaNode struct {
	Meta
	Columns ColumnsNode `key:"columns" required:"true" doc:"each column's name and type: string, int, float, bool or time, or a mapping with type, layout and null"`
	Strict  BoolNode    `key:"strict" doc:"a column the schema does not name is an error (default true); false leaves such columns out"`
}

// ColumnsNode is a schema's columns, in file order.
type ColumnsNode struct {
	Meta
	List []NamedColumn
}

// NamedColumn is one column of a schema.
type NamedColumn struct {
	Name   string
	Pos    Pos // of the name
	Column ColumnNode
}

// ColumnNode is a column's type, in its short form (a word) or its long
// form (a mapping).
type ColumnNode struct {
	Meta
	Type   WordNode   `key:"type" required:"true" enum:"string,int,float,bool,time" doc:"the cells' type"`
	Layout StringNode `key:"layout" doc:"time only: the layout, written as Go writes the time 2006-01-02T15:04:05Z07:00; default RFC 3339"`
	Null   BoolNode   `key:"null" doc:"an empty cell is allowed: \"\" for a string, nil for the other types (default false)"`
}

// BoolNode is true or false.
type BoolNode struct {
	Meta
	Value bool
}

func (v *BoolNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v.Value) != nil {
		d.errorf(n, "type", "", "%s must be true or false, got %s", d.where(), kindName(n))
	}
}

func (v *SchemasNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "type", "", "schemas must be a mapping of names to schemas, got %s", kindName(n))
		return
	}
	for _, p := range d.pairs(n) {
		key := d.resolve(p.key)
		if !identifier.MatchString(key.Value) {
			d.errorf(key, "name", "use letters, digits and _, not starting with a digit", "bad schema name %q", key.Value)
			continue
		}
		s := NamedSchema{Name: key.Value, Pos: d.src.pos(key)}
		d.push(key.Value)
		d.decodeField(key, p.value, reflectValue(&s.Schema), fieldSpec{Key: key.Value})
		d.pop()
		v.List = append(v.List, s)
	}
}

func (v *ColumnsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	switch {
	case n.Kind != yaml.MappingNode:
		d.errorf(n, "type", "write one column a line: `name: int`", "%s must be a mapping of column names to types, got %s", d.where(), kindName(n))
		return
	case len(n.Content) == 0:
		d.errorf(n, "schema", "write one column a line: `name: int`", "%s needs at least one column", d.where())
		return
	}
	for _, p := range d.pairs(n) {
		key := d.resolve(p.key)
		c := NamedColumn{Name: key.Value, Pos: d.src.pos(key)}
		d.push(key.Value)
		d.decodeField(key, p.value, reflectValue(&c.Column), fieldSpec{Key: key.Value})
		d.pop()
		v.List = append(v.List, c)
	}
}

// columnTypes are the words of ColumnNode.Type.
var columnTypes = func() []string {
	var out []string
	for _, t := range table.Types {
		out = append(out, string(t))
	}
	return out
}()

func (v *ColumnNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind == yaml.MappingNode {
		d.decodeStruct(n, reflectValue(v))
	} else {
		d.decodeField(nil, n, reflectValue(&v.Type), fieldSpec{Key: "column type", Enum: columnTypes})
	}
	if v.Layout.Set && v.Type.Value != "" && v.Type.Value != string(table.Time) {
		d.errorf(d.findKey(n, "layout"), "schema", "remove layout, or make the type time", "%s: layout applies only to a time column", d.where())
	}
}

// findKey returns the key node called key in mapping n, or n.
func (d *decoder) findKey(n *yaml.Node, key string) *yaml.Node {
	for _, p := range d.pairs(n) {
		if k := d.resolve(p.key); k.Value == key {
			return k
		}
	}
	return n
}

// schemas compiles the schemas, by name.
func (c *compiler) compileSchemas() map[string]*table.Schema {
	out := map[string]*table.Schema{}
	for _, ns := range c.p.Schemas.List {
		s := &table.Schema{Name: ns.Name, Strict: !ns.Schema.Strict.Set || ns.Schema.Strict.Value}
		for _, col := range ns.Schema.Columns.List {
			s.Columns = append(s.Columns, table.Column{Name: col.Name, Type: table.Type(col.Column.Type.Value),
				Layout: col.Column.Layout.Value, Null: col.Column.Null.Value})
		}
		out[ns.Name] = s
	}
	return out
}

// schemaNames lists the schemas' names, sorted, for hints.
func (c *compiler) schemaNames() []string {
	var out []string
	for _, ns := range c.p.Schemas.List {
		out = append(out, ns.Name)
	}
	slices.Sort(out)
	return out
}

// UniqueNode is output.unique: true or false, or an expression over row
// giving the key two rows are compared by.
type UniqueNode struct {
	Meta
	Whole bool     // true: compare whole rows, as written
	Key   ExprNode // the key expression, when not a boolean
}

func (v *UniqueNode) decodeNode(d *decoder, n *yaml.Node, f fieldSpec) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		if n.Decode(&v.Whole) != nil {
			d.errorf(n, "type", "", "%s must be true, false or an expression", d.where())
		}
		return
	}
	v.Key.decodeNode(d, n, f)
	v.Key.Meta = Meta{Pos: d.src.pos(n), Set: true, Path: d.where()}
}

// schemaArgs are the functions that take the name of a schema, and which
// of their arguments (from 0) it is: read_csv(path, "shipments").
var schemaArgs = map[string]int{"read_csv": 1}

// schemaCall checks the schema argument of a call: a string naming a
// schema of the file.
func (n *nameCheck) schemaCall(call *ast.CallNode) {
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok {
		return
	}
	at, takes := schemaArgs[id.Value]
	if !takes || len(call.Arguments) <= at {
		return
	}
	arg := call.Arguments[at]
	s, ok := arg.(*ast.StringNode)
	if !ok {
		n.fail(arg, 1, "schema", fmt.Sprintf("write the schema's name in quotes: %s(item, \"NAME\")", id.Value),
			"%s: the schema of %s must be the name of a schema, written as a string", n.src.path, id.Value)
		return
	}
	if _, ok := n.c.schemas[s.Value]; ok {
		return
	}
	names := n.c.schemaNames()
	hint := didYouMean(s.Value, names)
	switch {
	case hint != "":
	case len(names) == 0:
		hint = "define it under schemas: at the top level"
	default:
		hint = "schemas: defines " + strings.Join(names, ", ")
	}
	n.fail(s, len([]rune(s.Value))+2, "undefined", hint, "%s: unknown schema %q", n.src.path, s.Value)
}

// schemaRefs is the expr patch that puts, in place of a schema's name in
// a call of schemaArgs, a zero row of its type: the function's Validate
// then gives the call the type of a list of such rows, so that row.col is
// checked at load time, and at run time the row's type says the schema.
type schemaRefs struct{ schemas map[string]*table.Schema }

func (p schemaRefs) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok {
		return
	}
	at, takes := schemaArgs[id.Value]
	if !takes {
		return
	}
	if len(call.Arguments) == at+2 && isContextArg(call.Arguments[0]) {
		at++ // WithContext, a patch of the shared configuration, ran first
	}
	if len(call.Arguments) != at+1 {
		return
	}
	s, ok := call.Arguments[at].(*ast.StringNode)
	if !ok || p.schemas[s.Value] == nil {
		return
	}
	row := &ast.ConstantNode{Value: reflect.Zero(table.RowType(p.schemas[s.Value])).Interface()}
	ast.Patch(&call.Arguments[at], row)
}

// isContextArg reports whether n is the context argument expr's
// WithContext puts in front of a call's arguments.
func isContextArg(n ast.Node) bool {
	id, ok := n.(*ast.IdentifierNode)
	return ok && id.Value == "ctx"
}

// itemsSchema is the schema of a csv source, or nil.
func (c *compiler) itemsSchema(n *ItemsNode) *table.Schema {
	if !n.Schema.Set {
		return nil
	}
	if s := c.schemas[n.Schema.Value]; s != nil {
		return s
	}
	names := c.schemaNames()
	hint := didYouMean(n.Schema.Value, names)
	if hint == "" {
		hint = "define it under schemas: at the top level"
		if len(names) > 0 {
			hint = "schemas: defines " + strings.Join(names, ", ")
		}
	}
	c.errorf(n.Schema.Pos, len([]rune(n.Schema.Value)), "undefined", hint, "items: unknown schema %q", n.Schema.Value)
	return nil
}

// TypeText names a type for people: a table row as row (of its schema),
// interface{} as any.
func TypeText(t reflect.Type) string {
	if t == nil {
		return "any"
	}
	if l, ok := table.LayoutOf(t); ok {
		if l.Schema.Name != "" {
			return "row of schema " + l.Schema.Name
		}
		return "row"
	}
	switch t.Kind() {
	case reflect.Slice:
		return "[]" + TypeText(t.Elem())
	case reflect.Pointer:
		return "*" + TypeText(t.Elem())
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "any"
		}
	}
	return t.String()
}

// rowTypeText puts "row of schema NAME" in place of a schema's row type in
// a message of expr's checker, and gives a hint for a column the row does
// not have.
func (c *compiler) rowTypeText(msg string) (string, string) {
	hint := ""
	for _, s := range c.schemas {
		rt := table.RowType(s).String()
		if !strings.Contains(msg, rt) {
			continue
		}
		msg = strings.ReplaceAll(msg, rt, "row of schema "+s.Name)
		if i := strings.Index(msg, " has no field "); i >= 0 {
			col := strings.TrimSpace(msg[i+len(" has no field "):])
			msg = msg[:i] + " has no column " + col
			if hint = didYouMean(col, s.Names()); hint == "" {
				hint = "schema " + s.Name + " has: " + strings.Join(s.Names(), ", ")
			}
		}
	}
	return strings.TrimPrefix(msg, "type "), hint
}
