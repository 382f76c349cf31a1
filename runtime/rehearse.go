package runtime

import (
	"context"
	"errors"
	"io"

	"github.com/poolflow/poolflow/dsl"
)

// Rehearsal is what a dry run with --inject says would happen to one
// item that an injection touches (spec.md §6.11).
type Rehearsal struct {
	Index       int
	Item        any
	Failures    []*Error // the injected failures of its attempts, in order
	Attempts    int      // attempts made: the failed ones, and the one that succeeded
	Status      Status   // ok (an attempt was not injected), skipped, failed, or not-started
	Fallback    any      // skipped with a fallback: its value
	HasFallback bool
	Ends        string   // when its failure ends the run: abort-all or drain; "" otherwise
	Budget      bool     // it ended the run by passing max_failures
	Guessed     []string // policy expressions not evaluated, as they call functions with side effects: retry.when, fallback
}

// RehearsalSummary is the whole rehearsal: counts, and how the run would end.
type RehearsalSummary struct {
	Items      int // items the source gives
	OK         int // succeeded: not injected, or injected on some attempts and then not
	Skipped    int
	Fallbacks  int
	Failed     int
	NotStarted int // after the run ended
	Retried    int
	Ends       string // abort-all, drain, or max_failures (judged at the end); "" when the run would succeed
	EndedBy    int    // the item whose failure ends the run, or -1
}

// EndsMaxFailures is RehearsalSummary.Ends when the failure budget,
// judged at the end, fails the run.
const EndsMaxFailures = "max_failures"

// Rehearse plays the plan's error policies against its injections
// without running any step: items go in source order, one at a time, and
// an attempt that no injection selects is taken to succeed. It calls
// each for every item an injection touched, and for the item that ends
// the run. pure says which functions a policy expression (retry.when,
// fallback) may call to be evaluated; one that calls another counts as
// true (retry.when) or gives no value (fallback). The items are read as
// CountItems reads them: a source it cannot count cannot be rehearsed.
func Rehearse(ctx context.Context, plan *dsl.Plan, pure func(name string) bool, each func(Rehearsal)) (RehearsalSummary, error) {
	sum := RehearsalSummary{EndedBy: -1}
	src, err := rehearsalSource(ctx, plan, pure)
	if err != nil {
		return sum, err
	}
	defer src.close()
	rn := newRunner(ctx, plan, 0, nil)
	rn.ev.env["worker"], _ = plan.NewWorker(0, nil)
	pl := rehearsal{plan: plan, rn: rn, pure: pure}
	for index := 0; ; index++ {
		item, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sum, err
		}
		sum.Items++
		if sum.Ends != "" {
			sum.NotStarted++
			continue
		}
		r, touched := pl.item(index, item)
		sum.count(r)
		if touched || r.Ends != "" {
			each(r)
		}
	}
	if sum.Ends == "" && plan.Map.Policy.MaxFailures.ExceededAtEnd(sum.Skipped, sum.OK+sum.Skipped) {
		sum.Ends = EndsMaxFailures
	}
	return sum, nil
}

// count adds an item's rehearsal to the summary.
func (s *RehearsalSummary) count(r Rehearsal) {
	switch r.Status {
	case StatusOK:
		s.OK++
	case StatusSkipped:
		s.Skipped++
		if r.HasFallback {
			s.Fallbacks++
		}
	case StatusFailed:
		s.Failed++
	}
	if r.Attempts > 1 {
		s.Retried++
	}
	if r.Ends != "" {
		s.Ends, s.EndedBy = r.Ends, r.Index
	}
}

// rehearsal is the state of one Rehearse: the runner that evaluates the
// policy's expressions and the failure budget so far.
type rehearsal struct {
	plan     *dsl.Plan
	rn       *runner
	pure     func(string) bool
	failed   int
	finished int
}

// item rehearses one item; touched is whether any injection failed it.
func (pl *rehearsal) item(index int, item any) (Rehearsal, bool) {
	rn, p := pl.rn, pl.plan.Map.Policy
	rn.setItem(item, index)
	rn.ev.env["item"], rn.ev.env["index"] = item, index
	r := Rehearsal{Index: index, Item: item}
	for attempt := 1; ; attempt++ {
		rn.setAttempt(attempt)
		r.Attempts = attempt
		err := rn.inject(context.Background(), pl.plan.Map)
		if err == nil {
			r.Status = StatusOK
			pl.finished++
			return r, len(r.Failures) > 0
		}
		err.Attempts = p.Attempts
		r.Failures = append(r.Failures, err)
		act := decide(p, err.Kind, attempt, pl.when(&r, err, attempt))
		if act == actRetry {
			continue
		}
		err.Outcome = Outcome{Retry: p.Attempts > 1, Then: p.Then}
		pl.settle(&r, act, err)
		return r, true
	}
}

// when is retry.when for a rehearsed failure.
func (pl *rehearsal) when(r *Rehearsal, err *Error, attempt int) bool {
	p := pl.plan.Map.Policy
	if p.When != nil && attempt < p.Attempts && !pl.callsPure(p.When) {
		r.Guessed = append(r.Guessed, "retry.when")
		return true
	}
	return pl.rn.retryWhen(p, err, attempt)
}

// settle applies then, the fallback and the budget to a final failure.
func (pl *rehearsal) settle(r *Rehearsal, act action, err *Error) {
	p := pl.plan.Map.Policy
	switch act {
	case actAbort:
		r.Status, r.Ends = StatusFailed, dsl.PolicyAbortAll
		return
	case actDrain:
		r.Status, r.Ends = StatusFailed, dsl.PolicyDrain
		return
	}
	pl.failed++
	pl.finished++
	if p.MaxFailures.Exceeded(pl.failed, pl.finished) {
		r.Status, r.Ends, r.Budget = StatusFailed, p.MaxFailures.Then, true
		err.Outcome.Budget, err.Outcome.Drain = true, p.MaxFailures.Then == dsl.PolicyDrain
		return
	}
	r.Status = StatusSkipped
	if p.Fallback == nil {
		return
	}
	if !pl.callsPure(p.Fallback) {
		r.Guessed = append(r.Guessed, "fallback")
		r.HasFallback = true
		return
	}
	pl.rn.ev.env["error"] = err.Value()
	if v, ferr := pl.rn.ev.run(p.Fallback); ferr == nil {
		r.Fallback, r.HasFallback = v, true
	}
}

// callsPure reports whether a program calls only pure functions.
func (pl *rehearsal) callsPure(p *dsl.Program) bool {
	for _, name := range p.Calls {
		if !pl.pure(name) {
			return false
		}
	}
	return true
}

// rehearsalSource opens the items as CountItems does: not standard input,
// not an expression with side effects.
func rehearsalSource(ctx context.Context, plan *dsl.Plan, pure func(string) bool) (source, error) {
	if plan.Items.Stdin {
		return nil, errNotRehearsable
	}
	if plan.Items.Kind == dsl.ItemsExpr {
		for _, name := range plan.Items.Expr.Calls {
			if !pure(name) {
				return nil, errNotRehearsable
			}
		}
	}
	src, _, err := openNamedSource(ctx, plan, nil)
	return src, err
}

// errNotRehearsable says why a dry run cannot rehearse the injections.
var errNotRehearsable = errors.New("the items are known only when the run starts (standard input, or an items expression with side effects), so the injections cannot be rehearsed")
