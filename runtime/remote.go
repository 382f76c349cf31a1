package runtime

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// Remote has items' map stage run somewhere else: package cluster carries
// them to workers on other machines. With Engine.Remote set, the run keeps
// here its source, its window, its collector (callbacks, output, journal)
// and the decisions of skip, fallback and max_failures; the map stage's
// retries run where the item runs, and no initializer runs here. The run
// calls Run from up to plan.Window goroutines at once, so the window
// bounds the items handed out.
type Remote interface {
	// Run has the item's map stage run and returns how it ended. Its
	// error means the item could not be had run: ctx ended, or the
	// cluster is lost.
	Run(ctx context.Context, index int, item any) (Ran, error)
}

// Verdict is what the map stage's policy chose for an item that ran
// elsewhere, as the wire says it.
type Verdict string

// Verdicts.
const (
	VerdictOK        Verdict = "ok"        // it succeeded
	VerdictSkip      Verdict = "skip"      // it failed for good under skip: the collector applies the fallback and max_failures
	VerdictAbort     Verdict = "abort-all" // it failed for good under abort-all
	VerdictCancelled Verdict = "cancelled" // its run ended while it ran
	VerdictDrain     Verdict = "drain"     // it failed for good under then: drain
	// VerdictNotStarted is the Remote's own: no worker took the item
	// before the run began to drain (see Drainer).
	VerdictNotStarted Verdict = "not-started"
)

// Drainer is a Remote that hears when the run begins to drain (spec.md
// §6.10): it then tells every worker to take no new item and lets the
// running ones finish, and Run returns VerdictNotStarted for each item
// it had handed out that no worker took. Drain is called once, and
// must not block for long.
type Drainer interface {
	Drain()
}

// Ran is an item's map stage as a Slot ran it.
type Ran struct {
	Verdict  Verdict
	Result   any    // with VerdictOK
	Err      *Error // the final failure, for any other verdict
	Attempts int
	Failed   []Attempt // the attempts that failed before the last
	Last     time.Time // when the last attempt started
	Worker   int       // the slot that ran it, on its node
	Node     string    // the worker process that ran it
	Runs     int       // how many times it was handed out: above 1 when a worker died with it
	Reads    []string  // the paths its builtins read or looked for
}

var verdictActions = map[Verdict]action{VerdictOK: actOK, VerdictSkip: actSkip, VerdictAbort: actAbort, VerdictCancelled: actCancelled,
	VerdictDrain: actDrain, VerdictNotStarted: actNotStarted}

func verdictOf(act action) Verdict {
	for v, a := range verdictActions {
		if a == act {
			return v
		}
	}
	return VerdictCancelled
}

// workerCount is how many goroutines take items: the plan's workers, or,
// with a Remote, one per window place.
func (e *Engine) workerCount(plan *dsl.Plan) int {
	if e.Remote != nil {
		return max(1, plan.Window)
	}
	return plan.Workers
}

// mapStage runs an item's map stage here, or has the Remote run it.
func (r *run) mapStage(rn *runner, h hooks, j job, rec *ItemRecord, started time.Time) (any, *Error, action, int) {
	if r.eng.Remote == nil {
		return rn.withPolicy(r.plan.Map, h, started)
	}
	ran, err := r.eng.Remote.Run(r.ctx, j.index, j.item)
	if err != nil {
		if !r.ended() {
			r.abort(runError(KindCluster, "map", dsl.At(r.plan.Map.Pos), err))
		}
		return nil, runError(KindCancelled, "map", dsl.At(r.plan.Map.Pos), &CancelledError{While: "waiting for a worker", Err: err}), actCancelled, 0
	}
	rec.Worker, rec.Node, rec.Runs = ran.Worker, ran.Node, ran.Runs
	rn.failed, rn.attemptStart, rn.reads = append(rn.failed[:0], ran.Failed...), ran.Last, append(rn.reads[:0], ran.Reads...)
	act, ok := verdictActions[ran.Verdict]
	if act == actNotStarted {
		return nil, nil, act, 0
	}
	if !ok || (act != actOK && ran.Err == nil) {
		e := runError(KindCluster, "map", dsl.At(r.plan.Map.Pos), errors.New("a worker sent a result without its verdict"))
		r.abort(e)
		return nil, e, actCancelled, ran.Attempts
	}
	if ran.Err != nil {
		ran.Err.Item, ran.Err.Index = j.item, j.index
	}
	return ran.Result, ran.Err, act, ran.Attempts
}

// ErrorFrom rebuilds a failure from its wire shape (Error.Value), as a
// failure that happened elsewhere: its Value is v, for this run's item,
// and what present renders (position, command, stderr, causes) is v's.
func ErrorFrom(v dsl.ErrorValue) *Error {
	e := &Error{Kind: Kind(v.Kind), Subject: Subject{Stage: v.Stage, Step: v.Step, Index: v.Index, Worker: v.Worker,
		Attempt: v.Attempt, Attempts: v.Attempts}, replay: &v}
	if v.Line > 0 {
		e.At = dsl.Range{From: dsl.Pos{File: v.File, Line: v.Line, Col: v.Column}, To: dsl.Pos{File: v.File, Line: v.EndLine, Col: v.EndColumn}}
	}
	e.Evidence = Evidence{Expr: v.Expression, Values: orNil(v.Values), Argv: orNil(v.Command), ExitCode: v.Code, Stderr: v.Stderr,
		Callers: orNil(v.Stack), Cell: v.Cell}
	e.Outcome = policyOutcome(v.Policy)
	var cause error
	for i := len(v.Causes) - 1; i >= 0; i-- {
		cause = &remoteError{msg: v.Causes[i], next: cause}
	}
	e.Cause = &remoteError{msg: v.Message, next: cause}
	return e
}

// orNil undoes Value's empty lists for nothing.
func orNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// policyOutcome reads Outcome.String back.
func policyOutcome(s string) Outcome {
	var o Outcome
	if rest, ok := strings.CutPrefix(s, "retry, then "); ok {
		o.Retry, s = true, rest
	}
	if rest, ok := strings.CutSuffix(s, ", max_failures"); ok {
		o.Budget, s = true, rest
	}
	o.Then = s
	return o
}

// remoteError is one message of a failure's cause chain, as sent.
type remoteError struct {
	msg  string
	next error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.next }

// NoWorker is the failure that ends a distributed run once every worker
// slot that joined it retired: last is the last slot's failure.
func NoWorker(last *Error) *Error {
	e := endedBy(KindInit, last)
	e.Cause, e.replay = &noWorkerError{last: last}, nil
	return e
}
