package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/journal"
	"github.com/poolflow/poolflow/present"
	"github.com/poolflow/poolflow/runtime"
	"github.com/spf13/cobra"
)

// newReport is `poolflow report FILE -o OUT.html`: the HTML page of a
// JSON report, the one `run --report OUT.html` would have written, or of
// a run journal (.poolflow/NAME/ID.jsonl).
func newReport(stdout io.Writer) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report FILE -o OUT.html",
		Short: "Render the HTML page of a JSON report of a run (run --report FILE.json), or of its journal",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case out == "":
				return usageErrorf("report: -o OUT.html is required: where to write the page")
			case out != "-" && !present.IsHTML(out):
				return usageErrorf("report: -o %s: the page is HTML; give a name ending in .html, or - for standard output", out)
			}
			return renderReport(args[0], out, stdout)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the page: a .html file (written atomically), or - for standard output")
	return cmd
}

func renderReport(in, out string, stdout io.Writer) error {
	f, err := os.Open(in)
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(32)
	var p *present.Page
	if journal.IsJournal(head) {
		p, err = journalPage(in)
	} else {
		p, err = present.ReadPage(br)
	}
	if err != nil {
		return &exitError{code: exitFailed, err: fmt.Errorf("%s: %w", in, err)}
	}
	if out == "-" {
		err = p.WriteHTML(stdout)
	} else {
		err = files.WriteAtomic(context.Background(), out, p.WriteHTML)
	}
	if err != nil {
		return &exitError{code: exitFailed, err: fmt.Errorf("-o %s: %w", out, err)}
	}
	return nil
}

// journalPage is the page of a run from its journal (spec.md §9.6): all
// there is of a run that was killed before it could write a report. Each
// item is one bar, from its first attempt's start to its end; reused
// items, which did not run, have none.
func journalPage(path string) (*present.Page, error) {
	p := present.NewPage()
	workers, lastEnd := 0, 0.0
	var first *dsl.ErrorValue // the failure that ended the run
	run, err := journal.ReadFile(path, func(it journal.Item) error {
		workers = max(workers, it.Worker+1)
		end := it.StartedMS + it.DurationMS
		lastEnd = max(lastEnd, end)
		if it.Status == string(runtime.StatusFailed) && first == nil {
			first = it.Error
		}
		item := present.ItemJSON{Index: it.Index, Item: it.Text, Status: it.Status, Worker: it.Worker, Reused: it.Reused,
			Attempts: []present.AttemptJSON{}}
		if !it.Reused {
			item.Attempts = append(item.Attempts, present.AttemptJSON{StartedMS: it.StartedMS, DurationMS: it.DurationMS, Error: it.Error})
		}
		p.Add(item)
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.Finish(journalFacts(run, workers, lastEnd, first))
	return p, nil
}

// journalFacts is what the page's header says of a journaled run.
func journalFacts(run journal.Run, workers int, lastEnd float64, first *dsl.ErrorValue) *present.Report {
	t := run.Totals
	r := &present.Report{Pipeline: run.Pipeline, File: run.File, Started: run.Started, Ended: run.Ended, DurationMS: lastEnd,
		Params: map[string]any{}, ExitStatus: run.ExitStatus, Outcome: run.Outcome, Error: first,
		Totals: present.Totals{Items: t.OK + t.Skipped + t.Failed + t.Cancelled + t.NotStarted, OK: t.OK, Skipped: t.Skipped,
			Failed: t.Failed, Cancelled: t.Cancelled, NotStarted: t.NotStarted, Reused: t.Reused},
		Stages: []present.ReportStage{}, CallbackFailures: []dsl.ErrorValue{}, RetiredWorkers: []dsl.ErrorValue{},
		Workers: make([]present.WorkerJSON, workers)}
	for i := range r.Workers {
		r.Workers[i].Worker = i
	}
	if !run.Ended.IsZero() {
		r.DurationMS = max(lastEnd, float64(run.Ended.Sub(run.Started).Microseconds())/1000)
	} else {
		r.Outcome, r.Ended = "killed", run.Started.Add(time.Duration(lastEnd*float64(time.Millisecond)))
	}
	switch r.Outcome {
	case "failed":
		r.EndedBy = &present.EndedByJSON{AtMS: lastEnd, Reason: "abort"}
	case "interrupted":
		r.EndedBy = &present.EndedByJSON{AtMS: r.DurationMS, Reason: "interrupt"}
	case "killed":
		r.EndedBy = &present.EndedByJSON{AtMS: lastEnd, Reason: "killed"}
	}
	return r
}
