package dsl

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Injection is a failure that `run --inject SPEC` makes happen (spec.md
// §6.11): at a step of the map stage, for the items it selects, on the
// attempts it names, of a kind. An injected attempt runs none of its
// steps; it fails at once, as the step would have, and its policy decides
// as for any failure. An Injection is immutable after Compile.
type Injection struct {
	Spec     string     // as written, for messages
	Step     *Step      // where the failure is said to be
	Indexes  []IntRange // items by index; nil: any index
	When     *Program   // items by an expression over item and index; nil: any
	Share    float64    // with HasShare: the share of the items selected, by a hash of the index and Seed
	HasShare bool
	Seed     uint64
	Kind     string     // exit, timeout, expr, panic or data
	Code     int        // exit: the exit status
	Stderr   string     // exit: the standard error
	Message  string     // the failure's message; "" for the kind's own
	Attempts []IntRange // nil: every attempt
}

// IntRange is the integers from From to To, both included.
type IntRange struct{ From, To int }

// Injected kinds.
var injectKinds = []string{"exit", "timeout", "expr", "panic", "data"}

// injectKeys are the keys of a spec's options, in the order spec.md lists
// them.
var injectKeys = []string{"index", "when", "share", "seed", "kind", "code", "stderr", "message", "attempts"}

// SelectsIndex reports whether the injection's index and share selectors
// take the item at index; When is the runtime's to evaluate.
func (in *Injection) SelectsIndex(index int) bool {
	if in.Indexes != nil && !inRanges(in.Indexes, index) {
		return false
	}
	return !in.HasShare || shareOf(in.Seed, index) < in.Share
}

// OnAttempt reports whether the injection fails attempt n (from 1).
func (in *Injection) OnAttempt(n int) bool { return in.Attempts == nil || inRanges(in.Attempts, n) }

func inRanges(rs []IntRange, n int) bool {
	for _, r := range rs {
		if r.From <= n && n <= r.To {
			return true
		}
	}
	return false
}

// shareOf places an index in [0, 1) by a hash of it and the seed
// (splitmix64's mixer), so that a share selects the same items on every
// run with the same seed, and about the share of them.
func shareOf(seed uint64, index int) float64 {
	z := seed*0x9e3779b97f4a7c15 + uint64(index) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / float64(1<<53)
}

// injectSpec is one spec being read: its text and where its characters
// are, for positioned errors.
type injectSpec struct {
	text string
	at   func(offset int) Pos
}

// InjectFlagFile is the file name of the diagnostics of --inject specs:
// their line is the spec's number among the flags (from 1), their column
// the place in it.
const InjectFlagFile = "--inject"

// injections compiles Options.Inject against the map stage; sc is the
// map stage's scope before its steps.
func (c *compiler) injections(plan *Plan, params reflect.Type) {
	for i, text := range c.opts.Inject {
		line := i + 1
		spec := injectSpec{text: text, at: func(o int) Pos { return Pos{File: InjectFlagFile, Line: line, Col: 1 + o} }}
		if i < len(c.opts.InjectAt) && c.opts.InjectAt[i] != nil {
			spec.at = c.opts.InjectAt[i]
		}
		if in := c.injection(plan, params, spec); in != nil {
			plan.Injections = append(plan.Injections, in)
		}
	}
}

// injection reads one spec: AT[:KEY=VALUE;KEY=VALUE...], AT being
// map/STEP, STEP a step's name or its number from 1.
func (c *compiler) injection(plan *Plan, params reflect.Type, s injectSpec) *Injection {
	at, opts, _ := strings.Cut(s.text, ":")
	in := &Injection{Spec: s.text, Kind: "exit", Code: 1, Seed: 1}
	if in.Step = c.injectStep(plan, s, at); in.Step == nil {
		return nil
	}
	ok := true
	offset := len(at) + 1
	for _, opt := range strings.Split(opts, ";") {
		if strings.TrimSpace(opt) != "" {
			ok = c.injectOption(in, plan, params, s, opt, offset) && ok
		}
		offset += len(opt) + 1
	}
	if !ok {
		return nil
	}
	return in
}

// injectStep finds the step a spec names.
func (c *compiler) injectStep(plan *Plan, s injectSpec, at string) *Step {
	stage, step, found := strings.Cut(at, "/")
	if stage != "map" || !found || step == "" {
		c.errorf(s.at(0), max(1, len(at)), "inject", "write map/STEP, STEP a step's name or its number from 1: map/fetch:index=3",
			"%q does not name a step of the map stage", at)
		return nil
	}
	if plan.Map == nil {
		return nil
	}
	if n, err := strconv.Atoi(step); err == nil && n >= 1 && n <= len(plan.Map.Steps) {
		return plan.Map.Steps[n-1]
	}
	var names []string
	for _, st := range plan.Map.Steps {
		if st.Name == step {
			return st
		}
		if st.Name != "" {
			names = append(names, st.Name)
		}
	}
	hint := didYouMean(step, names)
	if hint == "" {
		hint = fmt.Sprintf("name a step, or give its number from 1 to %d", len(plan.Map.Steps))
	}
	c.errorf(s.at(4), len(step), "inject", hint, "the map stage has no step %q", step)
	return nil
}

// injectOption reads one KEY=VALUE at offset in the spec.
func (c *compiler) injectOption(in *Injection, plan *Plan, params reflect.Type, s injectSpec, opt string, offset int) bool {
	key, value, found := strings.Cut(opt, "=")
	lead := len(key) - len(strings.TrimLeft(key, " "))
	key = strings.TrimSpace(key)
	vat := offset + len(opt) - len(value)
	bad := func(format string, args ...any) bool {
		c.errorf(s.at(vat), max(1, len(value)), "inject", injectHint(key), format, args...)
		return false
	}
	if !found || !contains(injectKeys, key) {
		hint := didYouMean(key, injectKeys)
		if hint == "" {
			hint = "the keys are " + oneOf(injectKeys)
		}
		c.errorf(s.at(offset+lead), max(1, len(key)), "inject", hint, "unknown option %q", strings.TrimSpace(opt))
		return false
	}
	switch key {
	case "index":
		rs, ok := intRanges(value, 0)
		in.Indexes = rs
		return ok || bad("index: %q is not a list of indexes from 0 such as 3,7,10-12", value)
	case "attempts":
		rs, ok := intRanges(value, 1)
		in.Attempts = rs
		return ok || bad("attempts: %q is not a list of attempts from 1 such as 1-2", value)
	case "share":
		p, ok := parsePercent(value)
		in.Share, in.HasShare = p, true
		return ok || bad("share: %q is not a percentage such as 10%%", value)
	case "seed":
		n, err := strconv.ParseUint(value, 10, 64)
		in.Seed = n
		return err == nil || bad("seed: %q is not a whole number", value)
	case "kind":
		in.Kind = value
		return contains(injectKinds, value) || bad("unknown kind %q", value)
	case "code":
		n, err := strconv.Atoi(value)
		in.Code = n
		return err == nil && n >= 1 && n <= 255 || bad("code: %q is not an exit status from 1 to 255", value)
	case "stderr":
		in.Stderr = value
	case "message":
		in.Message = value
	case "when":
		in.When = c.injectWhen(plan, params, s, value, vat)
		return in.When != nil
	}
	return true
}

// injectWhen compiles the when of a spec: a boolean expression over item,
// index and params, compiled once, here.
func (c *compiler) injectWhen(plan *Plan, params reflect.Type, s injectSpec, src string, offset int) *Program {
	sc := c.stageScope("map", params, map[string]reflect.Type{"item": plan.Items.ElemType, "index": intType})
	sc.where = "--inject when"
	at := func(o int) Pos { return s.at(offset + o) }
	return c.compileExpr(exprSource{text: src, pos: at(0), path: "--inject when", at: at}, sc, true)
}

// intRanges reads 3,7,10-12: numbers and ranges of at least least.
func intRanges(text string, least int) ([]IntRange, bool) {
	var out []IntRange
	for _, part := range strings.Split(text, ",") {
		from, to, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(from)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(to)
		}
		if err1 != nil || err2 != nil || a < least || b < a {
			return nil, false
		}
		out = append(out, IntRange{a, b})
	}
	return out, true
}

// injectHint is the hint of a bad value of key.
func injectHint(key string) string {
	switch key {
	case "kind":
		return "use " + oneOf(injectKinds)
	case "index", "attempts":
		return "a list of numbers and ranges: 3,7,10-12"
	}
	return ""
}
