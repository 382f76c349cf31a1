package dsl

import (
	"reflect"
	"sort"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/checker/nature"
	"github.com/expr-lang/expr/conf"
)

// scope describes the variables an expression may use where it stands.
// The scopes of a stage share one table of the stage's step names, each
// seeing the steps before it, so that going from one step to the next
// copies nothing, however many steps the stage has.
type scope struct {
	where string                  // "a map step", for messages
	stage string                  // the stage whose step names are in table
	vars  map[string]reflect.Type // the place's variables; nil type means any
	extra map[string]reflect.Type // names added by with, such as a policy's error
	table *stepNames              // the stage's step names; nil outside a stage
	seen  int                     // the steps of table this scope sees: those before it
	reads map[string]bool         // names read, shared by a stage's scopes
	// want is the names the expression being compiled reads, which
	// nameCheck sets and exprEnv takes, so that the checker's environment
	// is as small as the expression; nil means every visible name.
	want map[string]bool
}

// stepNames are the named steps of a stage, in order.
type stepNames struct {
	first map[string]int // name → the index of the first step of that name
	steps []stepName     // by step index; an unnamed step has name ""
}

type stepName struct {
	name string
	pos  Pos
	t    reflect.Type // set once the step is compiled
}

func newStepNames(steps []StepNode) *stepNames {
	n := &stepNames{first: map[string]int{}, steps: make([]stepName, len(steps))}
	for i, s := range steps {
		n.steps[i] = stepName{name: s.Name.Value, pos: s.Name.Pos}
		if _, dup := n.first[s.Name.Value]; s.Name.Value != "" && !dup {
			n.first[s.Name.Value] = i
		}
	}
	return n
}

func newScope(where, stage string, vars map[string]reflect.Type) *scope {
	return &scope{where: where, stage: stage, vars: vars, reads: map[string]bool{}}
}

// with returns a copy of s that also sees name with type t.
func (s *scope) with(name string, t reflect.Type) *scope {
	c := *s
	c.extra = make(map[string]reflect.Type, len(s.extra)+1)
	for k, v := range s.extra {
		c.extra[k] = v
	}
	c.extra[name] = t
	return &c
}

// step returns the index of the step called name, if s sees it.
func (s *scope) step(name string) (int, bool) {
	if s.table == nil {
		return 0, false
	}
	i, ok := s.table.first[name]
	return i, ok && i < s.seen
}

// isStep reports whether name is a step name s sees.
func (s *scope) isStep(name string) bool {
	_, ok := s.step(name)
	return ok
}

// laterStep returns where a step after the current one is called name.
func (s *scope) laterStep(name string) (Pos, bool) {
	if s.table == nil {
		return Pos{}, false
	}
	i, ok := s.table.first[name]
	if !ok || i <= s.seen {
		return Pos{}, false
	}
	return s.table.steps[i].pos, true
}

// lookup returns the type of a visible name: one added by with, a step
// name, or a variable of the place.
func (s *scope) lookup(name string) (reflect.Type, bool) {
	if t, ok := s.extra[name]; ok {
		return t, true
	}
	if i, ok := s.step(name); ok {
		return s.table.steps[i].t, true
	}
	t, ok := s.vars[name]
	return t, ok
}

// visible calls f with every visible name.
func (s *scope) visible(f func(name string)) {
	for k := range s.vars {
		f(k)
	}
	if s.table != nil {
		for _, st := range s.table.steps[:s.seen] {
			if st.name != "" {
				f(st.name)
			}
		}
	}
	for k := range s.extra {
		f(k)
	}
}

// names lists the visible names, sorted, for hints.
func (s *scope) names() []string {
	seen := map[string]bool{contextVar: true}
	var out []string
	s.visible(func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	})
	sort.Strings(out)
	return out
}

// exprEnv returns the options that make the checker type an expression
// against the scope: each name it reads (s.want) bound to a zero value of
// its type, and the context builtins take. expr would take a nil value for
// the type nil, so the names of type any are then marked unknown in the
// checker's own description of the environment.
func (s *scope) exprEnv() []expr.Option {
	want := s.want
	s.want = nil
	env := map[string]any{}
	var unknown []string
	bind := func(name string) {
		if _, done := env[name]; done {
			return
		}
		t, ok := s.lookup(name)
		switch {
		case !ok:
		case t == nil || t.Kind() == reflect.Interface:
			env[name] = nil
			unknown = append(unknown, name)
		default:
			env[name] = reflect.Zero(t).Interface()
		}
	}
	if want == nil {
		s.visible(bind)
	}
	for name := range want {
		bind(name)
	}
	bind(contextVar)
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
