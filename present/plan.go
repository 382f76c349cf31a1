package present

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
)

// Plan writes the plan in words, for dry runs: what it reads, how many
// workers, each stage with its steps and error policy, and what it writes.
// items says how many items there are, as the caller found out.
func Plan(w io.Writer, p *dsl.Plan, items string) {
	fmt.Fprintf(w, "pipeline %s (%s)\n", p.Name, p.File)
	if p.Description != "" {
		fmt.Fprintf(w, "  %s\n", p.Description)
	}
	for _, pv := range p.ParamValues {
		fmt.Fprintf(w, "param %s = %s\n", pv.Name, describeValue(pv.Value))
	}
	fmt.Fprintf(w, "items: %s: %s\n", describeItems(p.Items), items)
	fmt.Fprintf(w, "relative paths resolve against %s\n", dirNote(p))
	fmt.Fprintf(w, "workers: %d; results in %s order; at most %d items in flight\n", p.Workers, p.Order, p.Window)
	if p.Timeout > 0 {
		fmt.Fprintf(w, "timeout: %s for the whole run\n", FormatDuration(p.Timeout))
	}
	if p.DrainOnInterrupt {
		fmt.Fprintln(w, "on SIGINT: drain (no new item starts, the running ones finish); a second SIGINT aborts")
	}
	for _, st := range p.Stages() {
		describeStage(w, st)
	}
	if o := p.Output; o != nil {
		fmt.Fprintf(w, "output: %s as %s to %s\n", describeOutput(o), o.Format, o.To.Source)
		if o.WriteDrained {
			fmt.Fprintln(w, "  also written when the run drains, with what was delivered")
		}
	}
}

// describeOutput says what the output writes, and when.
func describeOutput(o *dsl.Output) string {
	switch {
	case o.Rows != nil && o.UniqueKey != nil:
		return fmt.Sprintf("the rows of %s as each result arrives, each %s once", o.Rows.Source, o.UniqueKey.Source)
	case o.Rows != nil && o.Unique:
		return fmt.Sprintf("the rows of %s as each result arrives, each row once", o.Rows.Source)
	case o.Rows != nil:
		return fmt.Sprintf("the rows of %s as each result arrives", o.Rows.Source)
	}
	value := "results"
	if o.Fold != nil {
		value = "acc"
	}
	if o.Value != nil {
		value = o.Value.Source
	}
	if o.Fold != nil {
		return fmt.Sprintf("%s at the end, acc folded from %s by %s", value, o.Fold.Init.Source, o.Fold.Step.Source)
	}
	return value
}

func describeItems(it *dsl.Items) string {
	switch it.Kind {
	case dsl.ItemsExpr:
		return "expression " + it.Expr.Source
	case dsl.ItemsList:
		return "a list in the file"
	case dsl.ItemsRange:
		return fmt.Sprintf("range(%d, %d, %d)", it.Range[0], it.Range[1], it.Range[2])
	}
	what := fmt.Sprintf("%s %s", it.Kind, it.Path.Source)
	switch {
	case it.Stdin:
		what = "lines from standard input"
	case it.FromCLI:
		what = fmt.Sprintf("lines of %s (--items)", it.Path.Source)
	}
	if it.Null {
		what += ", separated by NUL bytes"
	}
	return what
}

// when says when a stage runs, in words.
var stageWhen = map[string]string{
	"initializer":      "once per worker, before its first item",
	"map":              "once per item",
	"callbacks.result": "after each item that succeeded, one at a time",
	"callbacks.error":  "after each item that failed for good, one at a time",
	"callbacks.done":   "once, after the map stage",
}

func describeStage(w io.Writer, s *dsl.Stage) {
	limit := ""
	if s.Timeout > 0 {
		limit = fmt.Sprintf(", at most %s per attempt", FormatDuration(s.Timeout))
	}
	fmt.Fprintf(w, "%s (%s%s):\n", s.Name, stageWhen[s.Name], limit)
	for i, step := range s.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, describeStep(step))
	}
	if s.Result != nil {
		fmt.Fprintf(w, "  result: %s\n", s.Result.Source)
	}
	fmt.Fprintf(w, "  on error: %s\n", Policy(s.Policy, s.Name))
}

func describeStep(s *dsl.Step) string {
	var what string
	switch s.Kind {
	case dsl.StepExpr, dsl.StepAssert:
		what = fmt.Sprintf("%s %s", s.Kind, oneLine(s.Expr.Source))
	case dsl.StepSh:
		what = "sh " + oneLine(s.Command.Source)
	case dsl.StepExec:
		args := make([]string, len(s.Argv))
		for i, a := range s.Argv {
			args[i] = a.Source
		}
		what = "exec [" + strings.Join(args, ", ") + "]"
	}
	if s.Name != "" {
		what = s.Name + " = " + what
	}
	if s.If != nil {
		what += " if " + oneLine(s.If.Source)
	}
	if s.Timeout > 0 {
		what += fmt.Sprintf(" (at most %s)", FormatDuration(s.Timeout))
	}
	return what
}

// oneLine folds a block scalar onto one line for a summary.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// describeValue shows a parameter's value as JSON: "text", 3, [1,2],
// {"a":"x"}, null.
func describeValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// FormatDuration writes d as it would be written in a pipeline file: 10m
// rather than Go's 10m0s.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Policy says a policy in words, for dry runs. stage changes what skip
// means: an initializer's worker retires, a callback's failure is recorded.
func Policy(p dsl.Policy, stage string) string {
	var parts []string
	if p.Attempts > 1 {
		parts = append(parts, describeRetry(p))
	}
	then := "abort the whole run"
	if p.Then == dsl.PolicyDrain {
		then = "drain the run: start no new item, let the running ones finish, then fail"
	}
	if p.Then == dsl.PolicySkip {
		then = describeSkip(stage)
		if p.Fallback != nil {
			then += fmt.Sprintf(", with %s as its result", p.Fallback.Source)
		}
		if p.MaxFailures.Set {
			verb := "abort the whole run"
			if p.MaxFailures.Then == dsl.PolicyDrain {
				verb = "drain the run"
			}
			then += fmt.Sprintf("; %s once more than %s of the items have failed", verb, p.MaxFailures)
			if p.MaxFailures.IsPercent {
				then += fmt.Sprintf(" (of those finished, from %d on; of all of them at the end)", dsl.MinFinishedForShare)
			}
		}
	}
	if len(parts) > 0 {
		return parts[0] + "; then " + then
	}
	return then
}

func describeRetry(p dsl.Policy) string {
	s := fmt.Sprintf("retry, %d attempts in all, waiting %s", p.Attempts, FormatDuration(p.Delay))
	if p.Backoff == dsl.BackoffExponential {
		s += fmt.Sprintf(" doubling up to %s", FormatDuration(p.MaxDelay))
	}
	if p.Jitter > 0 {
		s += fmt.Sprintf(" ±%g%%", p.Jitter*100)
	}
	if p.When != nil {
		s += " while " + strings.TrimSpace(p.When.Source)
	} else {
		s += " on any error but a cancellation or a limit"
	}
	return s
}

func describeSkip(stage string) string {
	switch {
	case stage == "initializer":
		return "retire the worker, the pool goes on with fewer"
	case strings.HasPrefix(stage, "callbacks."):
		return "record the failure and go on"
	}
	return "skip the item (recorded as failed) and go on"
}

// dirNote says where relative paths resolve: the folder as the user would
// type it from the working directory, and why.
func dirNote(p *dsl.Plan) string {
	why := map[dsl.DirSource]string{
		dsl.DirOfFile:  "the pipeline's folder; --workdir changes it",
		dsl.DirOfFlag:  "--workdir",
		dsl.DirOfShell: "the current folder, as the items come from standard input; --workdir changes it",
	}[p.DirFrom]
	return fmt.Sprintf("%s (%s)", files.Display(p.Dir), why)
}
