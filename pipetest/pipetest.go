package pipetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	goruntime "runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// Result is how one test went.
type Result struct {
	File     string
	Name     string
	Pos      dsl.Pos // the test's place in the file
	Problems []Problem
	Err      error // the test could not run: its pipeline did not load for it
	Duration time.Duration
}

// Passed reports whether the test ran and every expectation held.
func (r Result) Passed() bool { return r.Err == nil && len(r.Problems) == 0 }

// Problem is one expectation that did not hold.
type Problem struct {
	Pos  dsl.Pos // the expectation's place in the file
	What string  // the expectation's key: expect.status, expect.items.3.attempts
	Want string  // what the test wants, as text
	Got  string  // what the run gave, as text
	Why  string  // what explains it, when something does: the failure that ended the run
}

// Options are what every test of a file shares.
type Options struct {
	Load    dsl.Options   // the functions, and --param-free settings
	Dir     string        // where the pipeline's relative paths resolve: fixtures too
	Timeout time.Duration // the most one test may run; 0 for DefaultTimeout
	Sibling []byte        // the text of the file's sibling test file (dsl.TestFileOf), nil for none
}

// DefaultTimeout is how long one test may run when Options.Timeout is 0.
const DefaultTimeout = time.Minute

// Run runs every test of a pipeline file, its own and its sibling's, at most GOMAXPROCS at once, and
// returns their results in file order. The file must have loaded.
func Run(ctx context.Context, file string, text []byte, opts Options) ([]Result, error) {
	tests, err := dsl.AllTests(file, text, opts.Sibling)
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(tests))
	sem := make(chan struct{}, goruntime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range tests {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = runOne(ctx, file, text, &tests[i], opts)
		}()
	}
	wg.Wait()
	return results, nil
}

// runOne runs one test: the pipeline compiled with the test's items,
// params, injections and stubs, its output captured, then each
// expectation compared.
func runOne(ctx context.Context, file string, text []byte, t *dsl.TestNode, opts Options) (res Result) {
	res = Result{File: t.Pos.File, Name: t.Name.Value, Pos: t.Pos}
	started := time.Now()
	defer func() { res.Duration = time.Since(started) }()
	lo, err := dsl.TestOptions(t, opts.Load, opts.Dir)
	if err != nil {
		res.Err = fmt.Errorf("%s: %w", t.Items.Pos, err)
		return res
	}
	plan, diags := dsl.Load(file, text, lo)
	if diags.HasErrors() {
		res.Err = diags
		return res
	}
	check, err := compileAssert(t)
	if err != nil {
		res.Err = err
		return res
	}
	got := run(ctx, plan, opts.Timeout)
	res.Problems = compare(t, got, check)
	return res
}

// outcome is what a test's run did.
type outcome struct {
	status    int
	runErr    *runtime.Error
	sum       *runtime.Summary
	items     map[int]runtime.ItemRecord
	callbacks map[string]bool
	output    any
	outputErr error
}

// run runs a test's plan with an observer that keeps every item and
// which callbacks ran.
func run(ctx context.Context, plan *dsl.Plan, timeout time.Duration) outcome {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	obs := &observer{items: map[int]runtime.ItemRecord{}, callbacks: map[string]bool{}}
	var stdout bytes.Buffer
	eng := &runtime.Engine{Stdout: &stdout, Log: func(string) {}, Observer: obs}
	sum, err := eng.Run(ctx, plan)
	out := outcome{sum: sum, items: obs.items, callbacks: obs.callbacks}
	if err != nil {
		out.status = 1
		errors.As(err, &out.runErr)
	}
	if plan.Output != nil && sum.Output != "" {
		out.output, out.outputErr = readOutput(stdout.Bytes(), plan.Output.Format)
	}
	return out
}

// readOutput reads back what the captured output wrote: one JSON value,
// or JSON lines as a list.
func readOutput(b []byte, format string) (any, error) {
	if format != dsl.FormatJSONL {
		var v any
		return v, json.Unmarshal(b, &v)
	}
	list := []any{}
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

// observer keeps what the expectations ask about.
type observer struct {
	runtime.NopObserver
	mu        sync.Mutex
	items     map[int]runtime.ItemRecord
	callbacks map[string]bool
}

func (o *observer) ItemFinished(rec runtime.ItemRecord) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.items[rec.Index] = rec
}

func (o *observer) ItemNotStarted(index int, item any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.items[index] = runtime.ItemRecord{Index: index, Item: item, Status: runtime.StatusNotStarted}
}

func (o *observer) StageFinished(rec runtime.StageRecord) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.callbacks[strings.TrimPrefix(rec.Stage, "callbacks.")] = true
}

// compileAssert compiles expect.assert once, before the run, over output
// and stats.
func compileAssert(t *dsl.TestNode) (*vm.Program, error) {
	a := &t.Expect.Assert
	if a.Src == "" {
		return nil, nil
	}
	prog, err := expr.Compile(a.Src, expr.Env(dsl.AssertEnv{}), expr.AsBool())
	if err != nil {
		return nil, fmt.Errorf("%s: expect.assert: %w", a.PosAt(0), err)
	}
	return prog, nil
}

// compare checks every expectation of the test against what the run did.
func compare(t *dsl.TestNode, got outcome, check *vm.Program) []Problem {
	e := &t.Expect
	var out []Problem
	add := func(m dsl.Meta, what, want, have, why string) {
		if want != have {
			out = append(out, Problem{Pos: m.Pos, What: what, Want: want, Got: have, Why: why})
		}
	}
	why := ""
	if got.runErr != nil {
		why = got.runErr.Headline() + ": " + string(got.runErr.Kind) + ": " + got.runErr.Message()
	}
	if e.Status.Set {
		add(e.Status.Meta, "expect.status", fmt.Sprint(e.Status.Value), fmt.Sprint(got.status), why)
	}
	st := got.sum.Stats
	counts := []struct {
		n    *dsl.IntNode
		key  string
		have int
	}{{&e.OK, "ok", st.OK}, {&e.Skipped, "skipped", st.Skipped}, {&e.Failed, "failed", got.sum.Failed},
		{&e.NotStarted, "not_started", got.sum.NotStarted}, {&e.Retried, "retried", st.Retried}}
	for _, c := range counts {
		if c.n.Set {
			add(c.n.Meta, "expect."+c.key, fmt.Sprint(c.n.Value), fmt.Sprint(c.have), why)
		}
	}
	for _, ei := range e.Items.List {
		out = append(out, compareItem(ei, got, why)...)
	}
	out = append(out, compareOutput(e, got, check)...)
	out = append(out, compareCallbacks(e, got)...)
	return out
}

// compareItem checks one item's status and attempts.
func compareItem(ei dsl.ExpectItemNode, got outcome, why string) []Problem {
	rec, ok := got.items[ei.Index]
	status, attempts := string(runtime.StatusNotStarted), 0 // never read: the run ended before it
	if ok {
		status, attempts = string(rec.Status), attemptsOf(rec)
	}
	itemWhy := why
	if ok && rec.Err != nil {
		itemWhy = rec.Err.Headline() + ": " + string(rec.Err.Kind) + ": " + rec.Err.Message()
	}
	var out []Problem
	what := fmt.Sprintf("expect.items.%d", ei.Index)
	if ei.Status.Set && ei.Status.Value != status {
		out = append(out, Problem{Pos: ei.Status.Pos, What: what + ".status", Want: ei.Status.Value, Got: status, Why: itemWhy})
	}
	if ei.Attempts.Set && ei.Attempts.Value != attempts {
		out = append(out, Problem{Pos: ei.Attempts.Pos, What: what + ".attempts", Want: fmt.Sprint(ei.Attempts.Value),
			Got: fmt.Sprint(attempts), Why: itemWhy})
	}
	return out
}

// attemptsOf is how many attempts an item took: its record lists them
// when there was more than one, or a failure.
func attemptsOf(rec runtime.ItemRecord) int {
	switch {
	case len(rec.Attempts) > 0:
		return len(rec.Attempts)
	case rec.Status == runtime.StatusOK || rec.Status == runtime.StatusSkipped || rec.Status == runtime.StatusFailed:
		return 1
	}
	return 0
}

// compareOutput checks the output's value and the assert over it.
func compareOutput(e *dsl.ExpectNode, got outcome, check *vm.Program) []Problem {
	var out []Problem
	if got.outputErr != nil {
		return []Problem{{Pos: e.Pos, What: "expect.output", Want: "an output that reads back as JSON", Got: got.outputErr.Error()}}
	}
	if e.Output.Set {
		want, have := jsonText(e.Output.Value), jsonText(got.output)
		why := ""
		if got.runErr != nil && got.output == nil {
			why = "the run failed, so it wrote no output: " + got.runErr.Headline()
		}
		if want != have {
			out = append(out, Problem{Pos: e.Output.Pos, What: "expect.output", Want: want, Got: have, Why: why})
		}
	}
	if check != nil {
		st := got.sum.Stats
		stats := map[string]int{"ok": st.OK, "skipped": st.Skipped, "retried": st.Retried, "fallbacks": st.Fallbacks, "total": st.Total}
		v, err := expr.Run(check, dsl.AssertEnv{Output: got.output, Stats: stats})
		if ok, _ := v.(bool); err != nil || !ok {
			have := "false for the output " + jsonText(got.output)
			if err != nil {
				have = err.Error()
			}
			out = append(out, Problem{Pos: e.Assert.Pos, What: "expect.assert", Want: e.Assert.Src, Got: have})
		}
	}
	return out
}

// compareCallbacks checks that the callbacks named ran.
func compareCallbacks(e *dsl.ExpectNode, got outcome) []Problem {
	var out []Problem
	for _, c := range e.Callbacks.Values {
		if !got.callbacks[c.Value] {
			ran := make([]string, 0, len(got.callbacks))
			for k := range got.callbacks {
				ran = append(ran, k)
			}
			sort.Strings(ran)
			have := "none ran"
			if len(ran) > 0 {
				have = "only " + strings.Join(ran, ", ") + " ran"
			}
			out = append(out, Problem{Pos: c.Pos, What: "expect.callbacks", Want: c.Value + " ran", Got: have})
		}
	}
	return out
}

// jsonText is a value as compact JSON, the YAML of the test and the JSON
// read back made alike (numbers as JSON numbers, maps with sorted keys).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var norm any
	if json.Unmarshal(b, &norm) == nil && !reflect.DeepEqual(norm, nil) {
		b, _ = json.Marshal(norm)
	}
	return string(b)
}
