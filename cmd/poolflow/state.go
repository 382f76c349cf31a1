package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/journal"
	"github.com/spf13/cobra"
)

// stateFlags say where a run's journal goes and whether it resumes.
type stateFlags struct {
	state   string
	noState bool
	resume  string // "", "same" (--resume), "force" (--resume=force)
}

func (f *stateFlags) registerState(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.state, "state", "", "the state folder for run journals (default: .poolflow beside the pipeline file)")
	cmd.Flags().BoolVar(&f.noState, "no-state", false, "keep no journal of this run")
	cmd.Flags().StringVar(&f.resume, "resume", "", "reuse what the last run of this pipeline finished; =force even if the pipeline changed")
	cmd.Flags().Lookup("resume").NoOptDefVal = "same"
}

func (f *stateFlags) checkState() error {
	switch {
	case f.resume != "" && f.resume != "same" && f.resume != "force":
		return usageErrorf("--resume takes no value, or force; got %q", f.resume)
	case f.resume != "" && f.noState:
		return usageErrorf("--resume needs the state that --no-state turns off")
	case f.state != "" && f.noState:
		return usageErrorf("--state and --no-state: one or the other")
	}
	return nil
}

// folder is the state folder for a pipeline file.
func (f *stateFlags) folder(file string) string {
	if f.state != "" {
		return f.state
	}
	return filepath.Join(filepath.Dir(file), ".poolflow")
}

func (f *stateFlags) mode() journal.Resume {
	switch f.resume {
	case "same":
		return journal.ResumeSame
	case "force":
		return journal.ResumeForce
	}
	return journal.NoResume
}

// startJournal starts the run's journal: nil with --no-state. A state
// folder that cannot be written is a warning (the run goes on, and cannot
// be resumed); another run holding the lock is an error.
func startJournal(f *runFlags, l *loaded, con *console) (*journal.Recorder, error) {
	if f.noState {
		return nil, nil
	}
	store, err := journal.Open(f.folder(l.file), l.plan.Name)
	var rec *journal.Recorder
	if err == nil {
		rec, err = journal.Start(store, l.plan, f.mode(), time.Now())
	}
	switch {
	case errors.Is(err, journal.ErrLocked):
		return nil, &exitError{code: exitFailed, err: fmt.Errorf("%s: %w", l.file, err)}
	case err != nil:
		con.diagnostics(dsl.Diagnostics{{Pos: dsl.Pos{File: l.file}, Severity: dsl.SeverityWarning, Code: "journal",
			Message: fmt.Sprintf("no journal of this run, so it cannot be resumed: %v", err)}})
		return nil, nil
	}
	if rec.Resumed != "" {
		con.println(l.file + ": " + rec.Resumed)
	}
	return rec, nil
}
