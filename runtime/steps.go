package runtime

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// runner runs stages for one goroutine, a worker or the collector. It owns
// an evaluator and a builtins.Scope; nothing in it is shared.
type runner struct {
	run    context.Context // the run's context: when done, failures are cancellations
	dir    string
	output int64 // limits.output
	ev     *evaluator
	scope  *builtins.Scope
	base   context.Context // run with scope, reused while no timeout applies
	cur    context.Context // the context builtins see now (env["ctx"] holds it with scope)
	worker int

	at           dsl.Pos          // the step running now, for warnings from builtins
	reads        []string         // with a journal: the paths the current item's builtins read
	attemptStart time.Time        // when the current attempt started, for failure durations
	failed       []Attempt        // the current item's failed attempts, with an observer
	envAttempt   int              // the attempt env holds, 0 for none yet
	injections   []*dsl.Injection // --inject, for the map stage

	// The item (or callback subject) being worked on, for errors.
	item    any
	index   int
	attempt int
}

func newRunner(run context.Context, plan *dsl.Plan, worker int, log func(string)) *runner {
	r := &runner{run: run, dir: plan.Dir, output: plan.Limits.Output, ev: newEvaluator(plan), worker: worker, index: -1,
		scope: &builtins.Scope{Dir: plan.Dir, Log: log, Index: -1}, injections: plan.Injections}
	r.base, r.cur = builtins.WithScope(run, r.scope), run
	r.ev.env[builtins.ContextVar] = r.base
	return r
}

// setItem makes the runner work on an item; index -1 for none.
func (r *runner) setItem(item any, index int) {
	r.item, r.index, r.scope.Index = item, index, index
}

// bindNames sets every step name of st to nil, so that no value leaks from
// one item or attempt to the next.
func (r *runner) clearNames(st *dsl.Stage) {
	for _, s := range st.Steps {
		if s.Name != "" {
			r.ev.env[s.Name] = nil
		}
	}
}

// runOnce runs a stage's steps once and returns the last step's value.
func (r *runner) runOnce(st *dsl.Stage) (any, *Error) {
	r.clearNames(st)
	ctx, cancel := r.run, context.CancelFunc(func() {})
	if st.Timeout > 0 {
		ctx, cancel = context.WithTimeout(r.run, st.Timeout)
	}
	defer cancel()
	defer r.useContext(r.run) // policy expressions and callbacks after it see the run's context
	if err := r.inject(ctx, st); err != nil {
		return nil, err
	}
	var last any
	for _, step := range st.Steps {
		if done(ctx) { // aborted, cancelled or timed out: no step starts after that
			return nil, r.fail(ctx, st, step, nil, ctx.Err())
		}
		v, ran, err := r.step(ctx, st, step)
		if err != nil {
			return nil, err
		}
		if !ran {
			v = nil
		}
		if step.Name != "" {
			r.ev.env[step.Name] = v
		}
		last = v
	}
	if st.Result != nil {
		return r.result(ctx, st)
	}
	return last, nil
}

// done reports whether ctx has ended, without the lock ctx.Err takes.
func done(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// result evaluates the map stage's result expression; it is part of the
// attempt, so its failure is retried like a step's.
func (r *runner) result(stageCtx context.Context, st *dsl.Stage) (any, *Error) {
	v, err := r.ev.run(st.Result)
	if err != nil {
		step := &dsl.Step{Label: "result", Kind: dsl.StepExpr, Pos: st.Result.Pos, Expr: st.Result}
		return nil, r.fail(stageCtx, st, step, st.Result, err)
	}
	return v, nil
}

// step runs one step under its own timeout; ran is false when its if did
// not hold.
func (r *runner) step(stageCtx context.Context, st *dsl.Stage, step *dsl.Step) (v any, ran bool, err *Error) {
	ctx, cancel := stageCtx, context.CancelFunc(func() {})
	if step.Timeout > 0 {
		ctx, cancel = context.WithTimeout(stageCtx, step.Timeout)
	}
	defer cancel()
	r.useContext(ctx)
	r.at = step.Pos
	if step.If != nil {
		ok, e := r.cond(step.If)
		if e != nil {
			return nil, false, r.fail(stageCtx, st, step, step.If, e)
		}
		if !ok {
			return nil, false, nil
		}
	}
	v, prog, e := r.action(ctx, step)
	if e != nil {
		return nil, true, r.fail(stageCtx, st, step, prog, e)
	}
	return v, true, nil
}

// useContext makes ctx the one builtins see. It reuses the scoped base
// context when there is no timeout and writes the environment only on a
// change, which keeps a plain item free of allocations and map writes here.
func (r *runner) useContext(ctx context.Context) {
	switch {
	case ctx == r.cur:
	case ctx == r.run:
		r.ev.env[builtins.ContextVar], r.cur = r.base, ctx
	default:
		r.ev.env[builtins.ContextVar], r.cur = builtins.WithScope(ctx, r.scope), ctx
	}
}

// cond evaluates a condition that must give a boolean.
func (r *runner) cond(p *dsl.Program) (bool, error) {
	v, err := r.ev.run(p)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("want true or false, got %s", describeType(v))
	}
	return b, nil
}

// action does what the step says. prog is the program to blame on failure.
func (r *runner) action(ctx context.Context, step *dsl.Step) (any, *dsl.Program, error) {
	switch step.Kind {
	case dsl.StepExpr:
		v, err := r.ev.run(step.Expr)
		return v, step.Expr, err
	case dsl.StepAssert:
		return r.assert(step)
	case dsl.StepSh, dsl.StepExec:
		if step.Stub != nil {
			return stubbed(step.Stub)
		}
	}
	switch step.Kind {
	case dsl.StepSh:
		cmd, err := r.ev.render(step.Command, true)
		if err != nil {
			return nil, nil, err
		}
		argv := []string{"/bin/sh", "-c", cmd}
		res, err := runProcess(ctx, argv, r.dir, r.output)
		return res, nil, withCommand(err, argv)
	case dsl.StepExec:
		argv, err := r.ev.renderArgs(step.Argv)
		if err != nil {
			return nil, nil, err
		}
		res, err := runProcess(ctx, argv, r.dir, r.output)
		return res, nil, withCommand(err, argv)
	}
	return nil, nil, fmt.Errorf("unknown step kind %q", step.Kind)
}

// assertError is an assert that did not hold.
type assertError struct{ message string }

func (e *assertError) Error() string { return e.message }

func (r *runner) assert(step *dsl.Step) (any, *dsl.Program, error) {
	ok, err := r.cond(step.Expr)
	if err != nil || ok {
		return true, step.Expr, err
	}
	msg := "assertion failed: " + strings.TrimSpace(step.Expr.Source)
	if step.Message != nil {
		m, err := r.ev.render(step.Message, false)
		if err != nil {
			return nil, nil, err
		}
		msg = m
	}
	return nil, step.Expr, &assertError{message: msg}
}

// commandError attaches the command as run to a process failure.
type commandError struct {
	argv []string
	err  error
}

func (e *commandError) Error() string { return e.err.Error() }
func (e *commandError) Unwrap() error { return e.err }

func withCommand(err error, argv []string) error {
	if err == nil {
		return nil
	}
	return &commandError{argv: argv, err: err}
}
