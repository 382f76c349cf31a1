package dsl

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/expr-lang/expr/ast"
)

// nameCheck walks an expression's syntax tree before expr's own checker, to
// say in poolflow's words what is wrong with a name: undefined, available
// only elsewhere, defined by a later step, or a key params does not have.
// It also records which functions the expression calls and which names it
// reads.
type nameCheck struct {
	c       *compiler
	sc      *scope
	src     exprSource
	callees map[*ast.IdentifierNode]bool
	lets    map[string]bool
	calls   map[string]bool
	vars    map[string]bool // variables it reads
	allEnv  bool            // it reads $env, so it needs every name
	failed  bool
}

func (n *nameCheck) run(tree ast.Node) {
	n.callees, n.lets, n.calls, n.vars = map[*ast.IdentifierNode]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	ast.Walk(&tree, visitor(n.collect))
	ast.Walk(&tree, visitor(n.check))
	n.sc.want = n.vars
	if n.allEnv {
		n.sc.want = nil
	}
}

// visitor adapts a function to ast.Visitor.
type visitor func(node *ast.Node)

func (v visitor) Visit(node *ast.Node) { v(node) }

// collect notes callees, let-bound names and calls, which check needs first.
func (n *nameCheck) collect(node *ast.Node) {
	switch x := (*node).(type) {
	case *ast.CallNode:
		if id, ok := x.Callee.(*ast.IdentifierNode); ok {
			n.callees[id] = true
			n.calls[id.Value] = true
		}
	case *ast.BuiltinNode:
		n.calls[x.Name] = true
	case *ast.VariableDeclaratorNode:
		n.lets[x.Name] = true
	}
}

func (n *nameCheck) check(node *ast.Node) {
	switch x := (*node).(type) {
	case *ast.IdentifierNode:
		if n.callees[x] {
			n.function(x)
		} else {
			n.variable(x)
		}
	case *ast.MemberNode:
		n.member(x)
	case *ast.CallNode:
		n.schemaCall(x)
	}
}

func (n *nameCheck) fail(node ast.Node, span int, code, hint, format string, args ...any) {
	n.failed = true
	n.c.errorf(n.src.at(node.Location().From), span, code, hint, format, args...)
}

func (n *nameCheck) function(id *ast.IdentifierNode) {
	if n.c.functions[id.Value] {
		return
	}
	if _, ok := n.sc.lookup(id.Value); ok {
		n.vars[id.Value] = true
		return // expr reports "not callable" with the type
	}
	hint := "`poolflow builtins` lists the functions"
	if n.c.hintAllowed() {
		if h := didYouMean(id.Value, n.c.functionNames()); h != "" {
			hint = h
		}
	}
	n.fail(id, len(id.Value), "undefined", hint, "%s: unknown function %q", n.src.path, id.Value)
}

func (n *nameCheck) variable(id *ast.IdentifierNode) {
	name := id.Value
	if _, ok := n.sc.lookup(name); ok {
		n.sc.reads[name] = true
		n.vars[name] = true
		if n.sc.isStep(name) {
			n.c.used[n.sc.stage+":"+name] = true
		}
		return
	}
	if name == "$env" {
		n.allEnv = true
	}
	if n.lets[name] || name == "$env" {
		return
	}
	span := len(name)
	if home, ok := varHomes[name]; ok {
		n.fail(id, span, "unavailable", fmt.Sprintf("%s is available in %s", name, home),
			"%s: %s is not available in %s", n.src.path, name, n.sc.where)
		return
	}
	if pos, ok := n.sc.laterStep(name); ok {
		n.fail(id, span, "undefined", "a step sees only the steps before it; move this one down, or that one up",
			"%s: %q is the name of a later step (line %d)", n.src.path, name, pos.Line)
		return
	}
	hint := ""
	if n.c.hintAllowed() {
		visible := n.sc.names()
		if hint = didYouMean(name, visible); hint == "" {
			hint = "visible here: " + listSome(visible, 20)
		}
	}
	n.fail(id, span, "undefined", hint, "%s: undefined name %q", n.src.path, name)
}

// member checks name.key where name is a variable of struct type (params,
// worker, error, stats, an sh step's value), whose keys are known.
func (n *nameCheck) member(m *ast.MemberNode) {
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok || n.lets[id.Value] {
		return
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok {
		return
	}
	t, ok := n.sc.lookup(id.Value)
	if !ok || t == nil || t.Kind() != reflect.Struct {
		return
	}
	if id.Value == "worker" {
		n.c.used["initializer:"+prop.Value] = true
	}
	fields := exprFields(t)
	if contains(fields, prop.Value) {
		return
	}
	hint := didYouMean(prop.Value, fields)
	if hint == "" {
		hint = fmt.Sprintf("%s has: %s", id.Value, strings.Join(fields, ", "))
		if len(fields) == 0 {
			hint = fmt.Sprintf("%s has no keys here", id.Value)
		}
	}
	what := "field"
	if id.Value == "params" || id.Value == "worker" {
		what = "key"
	}
	n.fail(prop, len(prop.Value), "undefined", hint, "%s: %s has no %s %q", n.src.path, id.Value, what, prop.Value)
}

// exprFields lists the names expressions use for a struct's fields.
func exprFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name := f.Tag.Get("expr"); name != "" && name != "-" {
			out = append(out, name)
		} else if f.IsExported() {
			out = append(out, f.Name)
		}
	}
	sort.Strings(out)
	return out
}

// listSome joins the first n words, saying how many more there are.
func listSome(words []string, n int) string {
	if len(words) <= n {
		return strings.Join(words, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(words[:n], ", "), len(words)-n)
}
