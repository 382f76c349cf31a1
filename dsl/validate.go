package dsl

import (
	"fmt"
	"sort"
	"strings"
)

// Variables expressions may see somewhere; a step name may not hide one.
var variables = []string{"params", "secrets", "item", "index", "attempt", "worker", "error", "result", "results", "errors", "stats", contextVar}

// contextVar carries the step's context.Context to builtins; see
// builtins.ContextVar, which must agree.
const contextVar = "ctx"

// exprWords are expr-lang's keywords and literals.
var exprWords = []string{"and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith", "let", "if", "else", "true", "false", "nil"}

// namedStage is a stage together with the name messages use for it.
type namedStage struct {
	name string
	node *StageNode
}

// stages lists the pipeline's stages in the order they run.
func (p *Pipeline) stages() []namedStage {
	var out []namedStage
	add := func(name string, s *StageNode) {
		if s != nil {
			out = append(out, namedStage{name, s})
		}
	}
	add("initializer", p.Initializer)
	if p.Map != nil {
		add("map", &p.Map.StageNode)
	}
	add("callbacks.result", p.Callbacks.Result)
	add("callbacks.error", p.Callbacks.Error)
	add("callbacks.done", p.Callbacks.Done)
	return out
}

// validator checks what spans several nodes of a parsed pipeline.
type validator struct {
	diags     Diagnostics
	functions []string
}

func (v *validator) errorf(pos Pos, span int, code, hint, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{Pos: pos, Span: span, Severity: SeverityError, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Validate checks a parsed pipeline for mistakes no single key shows:
// steps with no action or two, step names that clash, policy keys that
// contradict each other. functions are the names expressions may call, so
// that a step name cannot hide one.
func Validate(p *Pipeline, functions []string) Diagnostics {
	v := &validator{functions: functions}
	for _, s := range p.stages() {
		v.steps(s.name, s.node.Steps.List)
		v.policy(s.name, &s.node.OnError)
	}
	v.diags.Sort()
	return v.diags
}

// actions returns the action keys a step has set.
func (s *StepNode) actions() []*Meta {
	var set []*Meta
	for _, m := range []*Meta{&s.Expr.Meta, &s.Sh.Meta, &s.Exec.Meta, &s.Assert.Meta} {
		if m.Set {
			set = append(set, m)
		}
	}
	return set
}

func (v *validator) steps(stage string, steps []StepNode) {
	seen := map[string]Pos{}
	for i := range steps {
		s := &steps[i]
		where := fmt.Sprintf("%s.steps[%d]", stage, i)
		switch acts := s.actions(); {
		case len(acts) == 0:
			v.errorf(s.Pos, 1, "step-action", "add one of expr, sh, exec or assert", "%s has no action", where)
		case len(acts) > 1:
			sort.Slice(acts, func(a, b int) bool { return acts[a].KeyPos.Before(acts[b].KeyPos) })
			v.errorf(acts[1].KeyPos, len(keyName(acts[1].Path)), "step-action", "split it into two steps",
				"%s has both %s and %s; a step does one thing", where, keyName(acts[0].Path), keyName(acts[1].Path))
		}
		if s.Message.Set && !s.Assert.Set {
			v.errorf(s.Message.KeyPos, len("message"), "message-without-assert", "message goes with assert; for a log line use log()",
				"%s has a message but no assert", where)
		}
		if s.Name.Set {
			v.stepName(where, s.Name, seen)
		}
	}
}

// keyName is the last key of a path: "expr" for "map.steps[0].expr".
func keyName(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

func (v *validator) stepName(where string, name StringNode, seen map[string]Pos) {
	n, span := name.Value, len([]rune(name.Value))
	switch {
	case !identifier.MatchString(n):
		v.errorf(name.Pos, span, "step-name", "use letters, digits and _, not starting with a digit",
			"%s: bad step name %q", where, n)
	case contains(variables, n):
		v.errorf(name.Pos, span, "step-name", "pick another name, such as "+n+"_value",
			"%s: step name %q hides the variable %s", where, n, n)
	case contains(exprWords, n):
		v.errorf(name.Pos, span, "step-name", "pick another name", "%s: step name %q is a keyword of expressions", where, n)
	case contains(v.functions, n):
		v.errorf(name.Pos, span, "step-name", "pick another name, such as "+n+"_value",
			"%s: step name %q hides the function %s()", where, n, n)
	default:
		if first, dup := seen[n]; dup {
			v.errorf(name.Pos, span, "duplicate-step", "give each step its own name",
				"%s: duplicate step name %q (first at line %d)", where, n, first.Line)
		}
		seen[n] = name.Pos
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) policy(stage string, p *PolicyNode) {
	skip := p.Short == PolicySkip || p.Then.Value == PolicySkip
	for _, m := range []*Meta{&p.Fallback.Meta, &p.MaxFailures.Meta} {
		if !m.Set {
			continue
		}
		key := keyName(m.Path)
		switch {
		case stage != "map":
			v.errorf(m.KeyPos, len(key), "policy", "only the map stage has items to give a fallback or count failures of",
				"%s.on_error: %s applies only to map.on_error", stage, key)
		case !skip:
			v.errorf(m.KeyPos, len(key), "policy", "add then: skip, or remove "+key,
				"%s.on_error: %s needs then: skip (with abort-all the first failure ends the run)", stage, key)
		}
	}
	v.drainable(stage, p)
	if r := p.Retry; r != nil && r.Delay.Set && r.MaxDelay.Set && r.MaxDelay.Value < r.Delay.Value {
		v.errorf(r.MaxDelay.Pos, 1, "policy", "make max_delay at least delay",
			"%s.on_error.retry: max_delay %s is less than delay %s", stage, r.MaxDelay.Value, r.Delay.Value)
	}
}

// drainable rejects drain where no item can still be running: the done
// callback runs after the last one was delivered.
func (v *validator) drainable(stage string, p *PolicyNode) {
	if stage != "callbacks.done" {
		return
	}
	switch {
	case p.Short == PolicyDrain:
		v.errorf(p.Pos, len(PolicyDrain), "policy", "use abort-all: every item has finished when callbacks.done runs",
			"%s.on_error: drain needs items still running, and there are none after the last one", stage)
	case p.Then.Value == PolicyDrain:
		v.errorf(p.Then.Pos, len(PolicyDrain), "policy", "use then: abort-all: every item has finished when callbacks.done runs",
			"%s.on_error: then: drain needs items still running, and there are none after the last one", stage)
	}
}

// outputFormat is the format an output writes: as set, else from the
// extension of to (the path as loading knows it), else json.
func outputFormat(o *OutputNode, to string) string {
	if o.Format.Set {
		return o.Format.Value
	}
	if o.To.Set {
		for _, f := range []string{"jsonl", "csv", "json"} {
			if strings.HasSuffix(to, "."+f) {
				return f
			}
		}
		if strings.HasSuffix(to, ".txt") {
			return "text"
		}
	}
	return "json"
}
