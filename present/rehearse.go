package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// RehearsalText is the line a dry run with --inject prints for one item
// (spec.md §6.11): each injected attempt, then what the policy makes of
// it.
func RehearsalText(plan *dsl.Plan, r runtime.Rehearsal) string {
	var b strings.Builder
	fmt.Fprintf(&b, "item %d %s: ", r.Index, runtime.DisplayItem(r.Item))
	for i, e := range r.Failures {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "attempt %d fails (%s, injected at %s)", e.Attempt, e.Kind, e.Where())
	}
	b.WriteString("; ")
	b.WriteString(rehearsalOutcome(plan, r))
	if len(r.Guessed) > 0 {
		fmt.Fprintf(&b, " (%s not evaluated: it calls a function with side effects)", strings.Join(r.Guessed, " and "))
	}
	return b.String()
}

// rehearsalOutcome says what becomes of the item, and of the run.
func rehearsalOutcome(plan *dsl.Plan, r runtime.Rehearsal) string {
	retried := ""
	if r.Attempts > 1 {
		retried = "retried, "
	}
	budget := ""
	if r.Budget {
		budget = fmt.Sprintf("max_failures %s passed: ", plan.Map.Policy.MaxFailures)
	}
	switch {
	case r.Status == runtime.StatusOK:
		return fmt.Sprintf("%sok on attempt %d", retried, r.Attempts)
	case r.Status == runtime.StatusSkipped && r.HasFallback && r.Fallback != nil:
		return fmt.Sprintf("%sskipped, with the fallback %s", retried, runtime.DisplayItem(r.Fallback))
	case r.Status == runtime.StatusSkipped && r.HasFallback:
		return retried + "skipped, with its fallback"
	case r.Status == runtime.StatusSkipped:
		return retried + "skipped"
	case r.Ends == dsl.PolicyDrain:
		return retried + budget + "failed: the run drains here (no new item starts, the running ones finish)"
	}
	return retried + budget + "failed: the run is aborted here"
}

// Rehearsal writes a dry run's rehearsal: its lines came first, through
// RehearsalText; this is the closing count and how the run would end.
func Rehearsal(w io.Writer, s runtime.RehearsalSummary) {
	fallbacks := ""
	if s.Fallbacks > 0 {
		fallbacks = fmt.Sprintf(" (%d with a fallback)", s.Fallbacks)
	}
	fmt.Fprintf(w, "rehearsal: %d %s: %d ok, %d skipped%s, %d failed, %d not started, %d retried; %s\n",
		s.Items, plural(s.Items, "item"), s.OK, s.Skipped, fallbacks, s.Failed, s.NotStarted, s.Retried, rehearsalEnd(s))
	fmt.Fprintln(w, "  (no step ran: an attempt no injection selects is taken to succeed)")
}

// rehearsalEnd says how the rehearsed run ends, and its exit status.
func rehearsalEnd(s runtime.RehearsalSummary) string {
	switch s.Ends {
	case "":
		return "the run would succeed (exit 0)"
	case dsl.PolicyDrain:
		return fmt.Sprintf("the run would drain at item %d and fail (exit 1)", s.EndedBy)
	case runtime.EndsMaxFailures:
		return "the run would fail at its end, past max_failures (exit 1)"
	}
	return fmt.Sprintf("the run would be aborted at item %d (exit 1)", s.EndedBy)
}
