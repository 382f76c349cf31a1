package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/poolflow/poolflow/journal"
	"github.com/poolflow/poolflow/runtime"
	"github.com/spf13/cobra"
)

// runsFlags are the flags of `poolflow runs` and `poolflow runs show`.
type runsFlags struct {
	loadFlags
	state string
}

func (f *runsFlags) registerRuns(cmd *cobra.Command) {
	f.register(cmd)
	cmd.Flags().StringVar(&f.state, "state", "", "the state folder of the journals (default: .poolflow beside the pipeline file)")
}

func newRuns(stdout, stderr io.Writer) *cobra.Command {
	var f runsFlags
	cmd := &cobra.Command{
		Use:   "runs FILE",
		Short: "List the journaled runs of a pipeline, newest last, with what each finished",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(cmd); err != nil {
				return err
			}
			s, err := openRuns(args[0], &f, stderr)
			if err != nil {
				return err
			}
			return listRuns(s.store, f.format == "json", stdout)
		},
	}
	f.registerRuns(cmd)
	show := &cobra.Command{
		Use:   "show FILE [ID]",
		Short: "Print one journaled run as its summary did, its failures, and what --resume would reuse; ID defaults to the last",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(cmd); err != nil {
				return err
			}
			s, err := openRuns(args[0], &f, stderr)
			if err != nil {
				return err
			}
			id := ""
			if len(args) == 2 {
				id = args[1]
			}
			return showRun(s, id, stdout)
		},
	}
	f.registerRuns(show)
	cmd.AddCommand(show)
	return cmd
}

// runsOf is a pipeline and its journals.
type runsOf struct {
	store   *journal.Store
	version string // the pipeline's version now
	ids     []string
}

func openRuns(file string, f *runsFlags, stderr io.Writer) (*runsOf, error) {
	opts, err := f.options()
	if err != nil {
		return nil, err
	}
	l := load(file, opts)
	if l.plan == nil {
		con := &console{w: stderr, src: l.text, style: styleFor(f.color, stderr), json: f.format == "json"}
		con.diagnostics(l.diags)
		return nil, &exitError{code: exitInvalid}
	}
	state := (&stateFlags{state: f.state}).folder(file)
	store := &journal.Store{Dir: journal.StoreDir(state, l.plan.Name)}
	ids, err := store.Runs()
	if err != nil {
		return nil, &exitError{code: exitFailed, err: err}
	}
	return &runsOf{store: store, version: l.plan.Version(), ids: ids}, nil
}

// runJSON is one run as `poolflow runs --format json` prints it.
type runJSON struct {
	ID       string         `json:"id"`
	Pipeline string         `json:"pipeline"`
	Started  time.Time      `json:"started"`
	Ended    *time.Time     `json:"ended"`
	Outcome  string         `json:"outcome"`
	Totals   journal.Totals `json:"totals"`
}

func listRuns(store *journal.Store, asJSON bool, stdout io.Writer) error {
	ids, err := store.Runs()
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	if len(ids) == 0 && !asJSON {
		_, err := fmt.Fprintf(stdout, "no journaled runs in %s\n", store.Dir)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ID\tSTARTED\tTOOK\tOUTCOME\tOK\tSKIPPED\tFAILED\tCANCELLED\tNOT STARTED\tREUSED")
	}
	holder := store.Holder()
	for i, id := range ids {
		run, err := store.Read(id, 0)
		if err != nil {
			return &exitError{code: exitFailed, err: err}
		}
		outcome := outcomeOf(run, i == len(ids)-1, holder)
		if asJSON {
			j := runJSON{ID: run.ID, Pipeline: run.Pipeline, Started: run.Started, Outcome: outcome, Totals: run.Totals}
			if !run.Ended.IsZero() {
				j.Ended = &run.Ended
			}
			if err := json.NewEncoder(stdout).Encode(j); err != nil {
				return err
			}
			continue
		}
		t := run.Totals
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", run.ID, run.Started.Local().Format(time.DateTime),
			took(run), outcome, t.OK, t.Skipped, t.Failed, t.Cancelled, t.NotStarted, t.Reused)
	}
	return tw.Flush()
}

// outcomeOf is a run's outcome, or, for one whose journal has no end,
// whether it is running still or was killed.
func outcomeOf(run journal.Run, last bool, holder string) string {
	switch {
	case !run.Ended.IsZero():
		return run.Outcome
	case last && holder != "":
		return "running (" + holder + ")"
	}
	return "killed"
}

func took(run journal.Run) string {
	if run.Ended.IsZero() {
		return "-"
	}
	return run.Ended.Sub(run.Started).Round(time.Millisecond).String()
}

// showRun prints run id (the last when "") as its summary did, with its
// failures, and what `run --resume` would reuse.
func showRun(s *runsOf, id string, stdout io.Writer) error {
	if len(s.ids) == 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("no journaled runs in %s", s.store.Dir)}
	}
	last := s.ids[len(s.ids)-1]
	if id == "" || id == "last" {
		id = last
	}
	run, err := s.store.Read(id, runtime.MaxListedFailures)
	if err != nil {
		return &exitError{code: exitFailed, err: fmt.Errorf("run %s: %w", id, err)}
	}
	var b strings.Builder
	t := run.Totals
	fmt.Fprintf(&b, "run %s of %s, started %s, took %s: %s\n", run.ID, run.Pipeline,
		run.Started.Local().Format(time.DateTime), took(run), outcomeOf(run, id == last, s.store.Holder()))
	fmt.Fprintf(&b, "%d ok, %d skipped, %d failed, %d cancelled, %d not started; %d reused from an earlier run\n",
		t.OK, t.Skipped, t.Failed, t.Cancelled, t.NotStarted, t.Reused)
	for _, it := range run.Failures {
		fmt.Fprintf(&b, "  %s: %s\n", it.Status, failureLine(it))
	}
	if n := t.Skipped + t.Failed + t.Cancelled; n > len(run.Failures) {
		fmt.Fprintf(&b, "  and %d more not ok\n", n-len(run.Failures))
	}
	b.WriteString(resumeLine(s, run, id == last))
	_, err = io.WriteString(stdout, b.String())
	return err
}

func failureLine(it journal.Item) string {
	if it.Error == nil {
		return fmt.Sprintf("item %d", it.Index)
	}
	return it.Error.Headline
}

// resumeLine says what `run --resume` would do with this run's journal.
func resumeLine(s *runsOf, run journal.Run, last bool) string {
	if !last {
		return fmt.Sprintf("--resume resumes the last run, %s, not this one\n", s.ids[len(s.ids)-1])
	}
	reusable, changed, err := s.store.Reusable(run.ID, run.Version, false)
	if err != nil {
		return fmt.Sprintf("--resume cannot read this journal: %v\n", err)
	}
	suffix := ""
	if changed > 0 {
		suffix = fmt.Sprintf("; %d more finished, but a file they depend on changed since, so they run again", changed)
	}
	if run.Version != s.version {
		return fmt.Sprintf("--resume would reuse nothing: the pipeline's map stage, initializer or parameters changed since; --resume=force would reuse %d items%s\n", reusable, suffix)
	}
	return fmt.Sprintf("--resume would reuse %d items of the source, if it still has them%s; every other item runs\n", reusable, suffix)
}
