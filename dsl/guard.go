package dsl

import (
	"errors"
	"reflect"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	exprcompiler "github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
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

// GuardVar is the environment variable a program looks for its Guard in,
// once per evaluation. Without one (nil or missing) it runs unguarded. The
// name is no identifier, so no expression can name it.
const GuardVar = "poolflow guard"

// guardLocal is the variable a guarded program keeps its Guard in while it
// runs, so that a loop step loads it from a slot and not from the map.
const guardLocal = "poolflow guard local"

// guardType is the type of a Guard.
var guardType = reflect.TypeFor[Guard]()

// unguarded is the Guard of an environment without one.
func unguarded(v any) any { return v }

// compileGuarded is expr.Compile with one more pass, between the optimizer
// and the compiler: guardClosures. Running it there, and not as an
// expr.Patch visitor before the checker, leaves what the checker infers and
// reports, and what the optimizer folds, exactly as they are without it.
func compileGuarded(input string, ops ...expr.Option) (*vm.Program, error) {
	config := conf.CreateNew()
	for _, op := range ops {
		op(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
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
// through the Guard, and binds the Guard once, at the root:
//
//	let guard = ENV[GuardVar] ?? unguarded; ... map(xs, guard(BODY)) ...
//
// The checker has already run, so each new node gets its type here: a call
// has the nature of the body it wraps, so that the compiler emits for its
// parent exactly what it emitted before.
func guardClosures(tree *parser.Tree) {
	g := &closureGuard{}
	ast.Walk(&tree.Node, g)
	if g.closures == 0 {
		return
	}
	root := tree.Node
	loc := root.Location()
	env := typed(&ast.IdentifierNode{Value: GuardVar}, loc)
	fallback := typed(&ast.ConstantNode{Value: Guard(unguarded)}, loc)
	bind := &ast.VariableDeclaratorNode{Name: guardLocal, Expr: root,
		Value: typed(&ast.BinaryNode{Operator: "??", Left: env, Right: fallback}, loc)}
	bind.SetLocation(loc)
	bind.SetNature(*root.Nature())
	tree.Node = bind
}

// closureGuard is the ast.Visitor of guardClosures. It counts the closures
// it wrapped.
type closureGuard struct{ closures int }

// Visit wraps the closures of a builtin call. ast.Walk visits children
// first, so inner closures are wrapped before the ones around them, and
// nothing is wrapped twice.
func (g *closureGuard) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.BuiltinNode)
	if !ok {
		return
	}
	for _, arg := range call.Arguments {
		if closure, ok := arg.(*ast.PredicateNode); ok {
			closure.Node = guarded(closure.Node, call.Location())
			g.closures++
		}
	}
}

// guarded returns body passed through the Guard. Its location is the
// builtin's, where a stopped evaluation is reported.
func guarded(body ast.Node, loc file.Location) ast.Node {
	callee := typed(&ast.IdentifierNode{Value: guardLocal}, loc)
	call := &ast.CallNode{Callee: callee, Arguments: []ast.Node{body}}
	call.SetLocation(loc)
	call.SetNature(*body.Nature())
	return call
}

// typed gives a node that stands for a Guard its type and location.
func typed(n ast.Node, loc file.Location) ast.Node {
	n.SetType(guardType)
	n.SetLocation(loc)
	return n
}
