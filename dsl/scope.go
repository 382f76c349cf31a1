package dsl

import (
	"reflect"
	"sort"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/checker/nature"
	"github.com/expr-lang/expr/conf"
)

// scope describes the variables an expression may use where it stands.
type scope struct {
	where string                  // "a map step", for messages
	stage string                  // the stage whose step names are in steps
	vars  map[string]reflect.Type // every visible name; nil type means any
	steps map[string]bool         // which of vars are step names
	later map[string]Pos          // step names defined further down the stage
	reads map[string]bool         // names read, shared by a stage's scopes
}

func newScope(where, stage string, vars map[string]reflect.Type) *scope {
	return &scope{where: where, stage: stage, vars: vars, steps: map[string]bool{},
		later: map[string]Pos{}, reads: map[string]bool{}}
}

// with returns a copy of s that also sees name with type t.
func (s *scope) with(name string, t reflect.Type) *scope {
	c := *s
	c.vars = make(map[string]reflect.Type, len(s.vars)+1)
	for k, v := range s.vars {
		c.vars[k] = v
	}
	c.vars[name] = t
	return &c
}

// withStep returns a copy of s that also sees step name with type t.
func (s *scope) withStep(name string, t reflect.Type) *scope {
	c := s.with(name, t)
	c.steps = make(map[string]bool, len(s.steps)+1)
	for k := range s.steps {
		c.steps[k] = true
	}
	c.steps[name] = true
	return c
}

// names lists the visible names, sorted, for hints.
func (s *scope) names() []string {
	out := make([]string, 0, len(s.vars))
	for k := range s.vars {
		if k != contextVar {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// exprEnv returns the options that make the checker type expressions
// against the scope: each name bound to a zero value of its type. expr
// would take a nil value for the type nil, so the names of type any are
// then marked unknown in the checker's own description of the environment.
func (s *scope) exprEnv() []expr.Option {
	env := make(map[string]any, len(s.vars))
	var unknown []string
	for name, t := range s.vars {
		if t == nil || t.Kind() == reflect.Interface {
			env[name] = nil
			unknown = append(unknown, name)
		} else {
			env[name] = reflect.Zero(t).Interface()
		}
	}
	markUnknown := func(c *conf.Config) {
		for _, name := range unknown {
			c.Env.Fields[name] = nature.Nature{}
		}
	}
	return []expr.Option{expr.Env(env), markUnknown}
}

// varHomes says where each variable is available, for the hint when one is
// used somewhere it is not.
var varHomes = map[string]string{
	"item":    "map steps, map.result, map.on_error, callbacks.result and callbacks.error",
	"index":   "map steps, map.result, map.on_error, callbacks.result and callbacks.error",
	"attempt": "initializer and map steps and their on_error",
	"worker":  "initializer and map steps and their on_error",
	"error":   "callbacks.error, retry.when and fallback",
	"result":  "callbacks.result",
	"results": "callbacks.done and output",
	"errors":  "callbacks.done and output",
	"stats":   "callbacks.done and output",
}

// Types of the variables that have a fixed type.
var (
	anyType        reflect.Type // nil: the checker treats the value as any
	intType        = reflect.TypeOf(0)
	stringType     = reflect.TypeOf("")
	errorValueType = reflect.TypeOf(ErrorValue{})
	statsType      = reflect.TypeOf(Stats{})
	processType    = reflect.TypeOf(ProcessResult{})
	resultsType    = reflect.TypeOf([]any{})
	errorsType     = reflect.TypeOf([]ErrorValue{})
	interfaceType  = reflect.TypeOf((*any)(nil)).Elem()
)
