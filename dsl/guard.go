package dsl

import (
	"errors"
	"reflect"
	"slices"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	exprcompiler "github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"github.com/expr-lang/expr/vm/runtime"
)

// Guard watches an evaluation from inside its loops. A compiled program
// calls it with the value of every closure body (the predicates of map,
// filter, reduce, all, sortBy, groupBy and the rest) as the body produces
// it, and carries on with what it returns, which must be that value. A
// Guard stops the evaluation by panicking with an error: the program then
// fails with that error, at the position of the builtin whose closure it
// was. The runtime's guard panics when the step's context is done or a
// memory limit is passed.
//
// The type is an alias, not a named type, so that expr calls it without
// reflection.
type Guard = func(value any) any

// Ranger builds the list of a range, from..to, in place of expr's range
// operator, which fills the whole list in one step that nothing can stop.
// It must give what expr gives: the integers from..to, or an empty list
// when to is below from. Like a Guard it stops the evaluation by
// panicking; the error is reported at the range.
type Ranger = func(from, to any) any

// GuardVar and RangerVar are the environment variables a program looks
// for its Guard and its Ranger in, once per evaluation. Without them (nil
// or missing) it runs unguarded. The names are no identifiers, so no
// expression can name them.
const (
	GuardVar  = "poolflow guard"
	RangerVar = "poolflow ranger"
)

// guardLocal and rangerLocal are the variables a guarded program keeps
// its Guard and Ranger in while it runs, so that a loop step loads them
// from a slot and not from the map.
const (
	guardLocal  = "poolflow guard local"
	rangerLocal = "poolflow ranger local"
)

// The types of a Guard and a Ranger.
var (
	guardType  = reflect.TypeFor[Guard]()
	rangerType = reflect.TypeFor[Ranger]()
)

// unguarded is the Guard of an environment without one.
func unguarded(v any) any { return v }

// unguardedRange is the Ranger of an environment without one: expr's own.
func unguardedRange(from, to any) any {
	return runtime.MakeRange(runtime.ToInt(from), runtime.ToInt(to))
}

// compileGuarded is expr.Compile with one more pass, between the optimizer
// and the compiler: guardClosures. Running it there, and not as an
// expr.Patch visitor before the checker, leaves what the checker infers and
// reports, and what the optimizer folds, exactly as they are without it.
func compileGuarded(input string, ops ...expr.Option) (*vm.Program, error) {
	return compileGuardedFrom(newBaseConfig(nil), input, ops...)
}

// newBaseConfig is expr's configuration with the options every expression
// of a pipeline shares (the functions) applied once: building it costs as
// much as checking a small expression, and a file of 20,000 steps built it
// 20,000 times.
func newBaseConfig(shared []expr.Option) *conf.Config {
	config := conf.CreateNew()
	for _, op := range shared {
		op(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
	}
	return config
}

// compileGuardedFrom is compileGuarded from a base configuration, which it
// does not change: each expression gets a copy, its own options (its
// environment, AsBool) applied to the copy. The copy shares the base's
// tables of functions, which compiling only reads.
func compileGuardedFrom(base *conf.Config, input string, ops ...expr.Option) (*vm.Program, error) {
	copied := *base
	config := &copied
	config.Visitors = slices.Clip(config.Visitors) // an expression's own patches must not land in the base's array
	for _, op := range ops {
		op(config)
	}
	config.Check()
	tree, err := checker.ParseCheck(input, config)
	if err != nil {
		return nil, err
	}
	if config.Optimize {
		if err := optimizer.Optimize(&tree.Node, config); err != nil {
			var fe *file.Error
			if errors.As(err, &fe) {
				return nil, fe.Bind(tree.Source)
			}
			return nil, err
		}
	}
	guardClosures(tree)
	return exprcompiler.Compile(tree, config)
}

// guardClosures makes every closure body of a checked tree pass its value
// through the Guard and every range a..b call the Ranger, and binds each
// once, at the root:
//
//	let guard = ENV[GuardVar] ?? unguarded; ... map(ranger(a, b), guard(BODY)) ...
//
// The checker has already run, so each new node gets its type here: a call
// has the nature of the node it replaces or wraps, so that the compiler
// emits for its parent exactly what it emitted before.
func guardClosures(tree *parser.Tree) {
	g := &closureGuard{}
	ast.Walk(&tree.Node, g)
	if g.ranges > 0 {
		bindAtRoot(tree, rangerLocal, RangerVar, Ranger(unguardedRange), rangerType)
	}
	if g.closures > 0 {
		bindAtRoot(tree, guardLocal, GuardVar, Guard(unguarded), guardType)
	}
}

// bindAtRoot puts `let local = ENV[name] ?? fallback;` in front of the
// tree, fallback and the variable being of type t.
func bindAtRoot(tree *parser.Tree, local, name string, fallback any, t reflect.Type) {
	root := tree.Node
	loc := root.Location()
	env := typed(&ast.IdentifierNode{Value: name}, t, loc)
	value := typed(&ast.BinaryNode{Operator: "??", Left: env, Right: typed(&ast.ConstantNode{Value: fallback}, t, loc)}, t, loc)
	bind := &ast.VariableDeclaratorNode{Name: local, Value: value, Expr: root}
	bind.SetLocation(loc)
	bind.SetNature(*root.Nature())
	tree.Node = bind
}

// closureGuard is the ast.Visitor of guardClosures. It counts the closures
// it wrapped and the ranges it replaced.
type closureGuard struct{ closures, ranges int }

// Visit wraps the closures of a builtin call and replaces a range.
// ast.Walk visits children first, so inner closures are wrapped before
// the ones around them, and nothing is wrapped twice.
func (g *closureGuard) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.BuiltinNode:
		for _, arg := range n.Arguments {
			if closure, ok := arg.(*ast.PredicateNode); ok {
				closure.Node = call(guardLocal, guardType, n.Location(), closure.Node, closure.Node)
				g.closures++
			}
		}
		if n.Name == "findIndex" || n.Name == "findLastIndex" {
			*node = notFoundIsMinusOne(n)
		}
	case *ast.BinaryNode:
		if n.Operator == ".." {
			*node = call(rangerLocal, rangerType, n.Location(), n, n.Left, n.Right)
			g.ranges++
		}
	}
}

// notFoundIsMinusOne makes findIndex and findLastIndex give -1 when
// nothing matches: expr-lang gives nil there, although its checker types
// the call int, so that findIndex(l, p) == -1 validated and then failed
// with "interface conversion: interface {} is nil, not int".
func notFoundIsMinusOne(n *ast.BuiltinNode) ast.Node {
	loc := n.Location()
	minusOne := typed(&ast.IntegerNode{Value: -1}, reflect.TypeOf(0), loc)
	return typed(&ast.BinaryNode{Operator: "??", Left: n, Right: minusOne}, reflect.TypeOf(0), loc)
}

// call is a call of local, of type t, with args, that stands for like:
// it has like's nature, and it is at loc (a builtin's location for a
// closure, where a stopped evaluation is reported; the range's for one).
func call(local string, t reflect.Type, loc file.Location, like ast.Node, args ...ast.Node) ast.Node {
	c := &ast.CallNode{Callee: typed(&ast.IdentifierNode{Value: local}, t, loc), Arguments: args}
	c.SetLocation(loc)
	c.SetNature(*like.Nature())
	return c
}

// typed gives n type t and location loc.
func typed(n ast.Node, t reflect.Type, loc file.Location) ast.Node {
	n.SetType(t)
	n.SetLocation(loc)
	return n
}
