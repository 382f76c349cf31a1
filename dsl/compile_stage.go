package dsl

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// stageScope returns the scope of the steps of a stage, before any step.
func (c *compiler) stageScope(stage string, params reflect.Type, extra map[string]reflect.Type) *scope {
	vars := map[string]reflect.Type{"params": params, contextVar: anyType}
	if len(c.p.Secrets.List) > 0 {
		vars["secrets"] = c.secretsType
	}
	for k, v := range extra {
		vars[k] = v
	}
	return newScope(stage+" steps", stage, vars)
}

// stage compiles a stage's steps and policy. It returns the stage and the
// types of its named steps' values, in order.
func (c *compiler) stage(name string, n *StageNode, sc *scope) (*Stage, *scope, []namedType) {
	st := &Stage{Name: name, Pos: n.Pos, Timeout: n.Timeout.Value}
	sc.table = newStepNames(n.Steps.List)
	for i := range n.Steps.List {
		sc.seen = i
		step, t := c.step(&n.Steps.List[i], i, sc)
		st.Steps = append(st.Steps, step)
		sc.table.steps[i].t = t
	}
	sc.seen = len(n.Steps.List)
	var named []namedType
	for _, s := range st.Steps {
		if s.Name != "" {
			t, _ := sc.lookup(s.Name)
			named = append(named, namedType{s.Name, t})
		}
	}
	return st, sc, named
}

// namedType is a named step and the type of its value.
type namedType struct {
	name string
	t    reflect.Type
}

// step compiles one step and returns it with the type of its value.
func (c *compiler) step(n *StepNode, i int, sc *scope) (*Step, reflect.Type) {
	s := &Step{Name: n.Name.Value, Label: n.Name.Value, Pos: n.Pos, Timeout: n.Timeout.Value}
	if s.Label == "" {
		s.Label = fmt.Sprintf("step %d", i+1)
	}
	if n.If.Src != "" {
		s.If = c.compileExpr(fromExpr(&n.If), sc, false)
	}
	var t reflect.Type
	switch {
	case n.Expr.Set:
		s.Kind, s.Pos = StepExpr, n.Expr.KeyPos
		if n.Expr.Src != "" {
			s.Expr = c.compileExpr(fromExpr(&n.Expr), sc, false)
			t = outType(s.Expr)
		}
	case n.Assert.Set:
		s.Kind, s.Pos, t = StepAssert, n.Assert.KeyPos, reflect.TypeOf(true)
		if n.Assert.Src != "" {
			s.Expr = c.compileExpr(fromExpr(&n.Assert), sc, true)
		}
		if n.Message.Set {
			s.Message = c.template(&n.Message, sc)
		}
	case n.Sh.Set:
		s.Kind, s.Pos, t = StepSh, n.Sh.KeyPos, processType
		s.Command = c.shellTemplate(&n.Sh, sc)
	case n.Exec.Set:
		s.Kind, s.Pos, t = StepExec, n.Exec.KeyPos, processType
		for j := range n.Exec.Args {
			s.Argv = append(s.Argv, c.template(&n.Exec.Args[j], sc))
		}
	}
	return s, t
}

// policy compiles an on_error policy; sc is the scope after the stage's
// steps, to which the policy's expressions add error and attempt.
func (c *compiler) policy(n *PolicyNode, sc *scope) Policy {
	p := Policy{Pos: n.Pos, Attempts: 1, Then: PolicyAbortAll}
	switch n.Short {
	case PolicySkip, PolicyDrain:
		p.Then = n.Short
	case PolicyRetry:
		p.Attempts, p.Delay, p.Backoff, p.MaxDelay = DefaultAttempts, DefaultDelay, BackoffExponential, DefaultMaxDelay
	}
	if n.Then.Value != "" {
		p.Then = n.Then.Value
	}
	psc := sc.with("error", errorValueType).with("attempt", intType)
	psc.where = sc.stage + ".on_error"
	if r := n.Retry; r != nil {
		p.Attempts = firstPositive(r.Attempts.Value, DefaultAttempts)
		p.Delay = DefaultDelay
		if r.Delay.Set {
			p.Delay = r.Delay.Value
		}
		p.Backoff = BackoffExponential
		if r.Backoff.Value != "" {
			p.Backoff = r.Backoff.Value
		}
		p.MaxDelay = max(DefaultMaxDelay, p.Delay)
		if r.MaxDelay.Set {
			p.MaxDelay = r.MaxDelay.Value
		}
		p.Jitter = r.Jitter.Value
		if r.When.Src != "" {
			p.When = c.compileExpr(fromExpr(&r.When), psc, true)
		}
	}
	if n.Fallback.Src != "" {
		p.Fallback = c.compileExpr(fromExpr(&n.Fallback), psc, false)
	}
	m := n.MaxFailures.Limit
	p.MaxFailures = Threshold{Set: m.Set, Pos: m.Pos, Count: m.Count, Share: m.Share, IsPercent: m.IsPercent, Then: PolicyAbortAll}
	if w := n.MaxFailures.Then.Value; w != "" {
		p.MaxFailures.Then = w
	}
	return p
}

// params applies --param overrides and builds the params struct.
func (c *compiler) params(plan *Plan) reflect.Type {
	values := map[string]any{}
	for _, p := range c.p.Params.List {
		values[p.Name] = p.Value
	}
	names := make([]string, 0, len(c.opts.Params))
	for name := range c.opts.Params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c.overrideParam(values, name, c.opts.Params[name])
	}
	var fields []reflect.StructField
	for i, p := range c.p.Params.List {
		plan.ParamValues = append(plan.ParamValues, ParamValue{p.Name, values[p.Name]})
		t := interfaceType
		if v := values[p.Name]; v != nil {
			t = reflect.TypeOf(v)
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("P%d", i), Type: t,
			Tag: reflect.StructTag(fmt.Sprintf(`expr:%q json:%q`, p.Name, p.Name))})
	}
	typ := reflect.StructOf(fields)
	v := reflect.New(typ).Elem()
	for i, p := range plan.ParamValues {
		if p.Value != nil {
			v.Field(i).Set(reflect.ValueOf(p.Value))
		}
	}
	plan.Params = v.Interface()
	return typ
}

// overrideParam applies one --param name=value.
func (c *compiler) overrideParam(values map[string]any, name, raw string) {
	pos := Pos{File: c.p.File}
	def, ok := c.p.Params.Lookup(name)
	if !ok {
		var known []string
		for _, p := range c.p.Params.List {
			known = append(known, p.Name)
		}
		hint := didYouMean(name, known)
		switch {
		case hint != "":
		case len(known) == 0:
			hint = "the pipeline declares no parameters"
		default:
			hint = "the pipeline's parameters: " + strings.Join(known, ", ")
		}
		c.errorf(pos, 1, "param", hint, "--param %s: unknown parameter %q", name, name)
		return
	}
	v, err := coerceParam(def.Value, raw)
	if err != nil {
		c.errorf(def.Pos, 1, "param", "", "--param %s=%s: %v", name, raw, err)
		return
	}
	values[name] = v
}
