package dsl

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Describe writes the plan in words, for dry runs: what it reads, how many
// workers, each stage with its steps and error policy, and what it writes.
// items says how many items there are, as the caller found out.
func (p *Plan) Describe(w io.Writer, items string) {
	fmt.Fprintf(w, "pipeline %s (%s)\n", p.Name, p.File)
	if p.Description != "" {
		fmt.Fprintf(w, "  %s\n", p.Description)
	}
	for _, pv := range p.ParamValues {
		fmt.Fprintf(w, "param %s = %s\n", pv.Name, describeValue(pv.Value))
	}
	fmt.Fprintf(w, "items: %s: %s\n", p.Items.describe(), items)
	fmt.Fprintf(w, "relative paths resolve against %s\n", p.DirNote)
	fmt.Fprintf(w, "workers: %d; results in %s order; at most %d items in flight\n", p.Workers, p.Order, p.Window)
	if p.Timeout > 0 {
		fmt.Fprintf(w, "timeout: %s for the whole run\n", FormatDuration(p.Timeout))
	}
	for _, st := range p.stages() {
		st.describe(w)
	}
	if o := p.Output; o != nil {
		value := "results"
		if o.Value != nil {
			value = o.Value.Source
		}
		fmt.Fprintf(w, "output: %s as %s to %s\n", value, o.Format, o.To.Source)
	}
}

func (it *Items) describe() string {
	switch it.Kind {
	case ItemsExpr:
		return "expression " + it.Expr.Source
	case ItemsList:
		return "a list in the file"
	case ItemsRange:
		return fmt.Sprintf("range(%d, %d, %d)", it.Range[0], it.Range[1], it.Range[2])
	}
	return fmt.Sprintf("%s %s", it.Kind, it.Path.Source)
}

// when says when a stage runs, in words.
var stageWhen = map[string]string{
	"initializer":      "once per worker, before its first item",
	"map":              "once per item",
	"callbacks.result": "after each item that succeeded, one at a time",
	"callbacks.error":  "after each item that failed for good, one at a time",
	"callbacks.done":   "once, after the map stage",
}

func (s *Stage) describe(w io.Writer) {
	limit := ""
	if s.Timeout > 0 {
		limit = fmt.Sprintf(", at most %s per attempt", FormatDuration(s.Timeout))
	}
	fmt.Fprintf(w, "%s (%s%s):\n", s.Name, stageWhen[s.Name], limit)
	for i, step := range s.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, step.describe())
	}
	if s.Result != nil {
		fmt.Fprintf(w, "  result: %s\n", s.Result.Source)
	}
	fmt.Fprintf(w, "  on error: %s\n", s.Policy.Describe(s.Name))
}

func (s *Step) describe() string {
	var what string
	switch s.Kind {
	case StepExpr, StepAssert:
		what = fmt.Sprintf("%s %s", s.Kind, oneLine(s.Expr.Source))
	case StepSh:
		what = "sh " + oneLine(s.Command.Source)
	case StepExec:
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
