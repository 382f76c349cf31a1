package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
	"github.com/poolflow/poolflow/runtime"
	"github.com/spf13/cobra"
)

// registerInject adds run's --inject (spec.md §6.11).
func (f *runFlags) registerInject(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.inject, "inject", nil,
		"make a map step fail on purpose, to rehearse the error policy: map/STEP:index=3,7;kind=timeout;attempts=1-2 (repeatable)")
}

// checkInject: an injected run is a rehearsal, so it keeps no journal,
// and a resume would reuse an earlier run's real outcomes among injected
// ones.
func (f *runFlags) checkInject() error {
	if len(f.inject) == 0 {
		return nil
	}
	if f.resume != "" {
		return usageErrorf("--inject rehearses a run and keeps no journal; it does not go with --resume")
	}
	if f.cluster != "" && !f.dryRun {
		// The workers compile the pipeline from its published text and run
		// its steps; an injection given here would never reach them.
		return usageErrorf("--inject does not go with --cluster: the steps run on the workers, which get no injection; rehearse on one machine")
	}
	f.noState = true
	return nil
}

// injectSource is the text --inject diagnostics point into: the specs,
// one a line, so that line N is the Nth spec.
func injectSource(specs []string) []byte {
	return []byte(strings.Join(specs, "\n"))
}

// rehearse prints, per item an injection touches, what the policies
// would make of it, and how the run would end (spec.md §6.11).
func rehearse(ctx context.Context, plan *dsl.Plan, pure func(string) bool, w io.Writer) error {
	sum, err := runtime.Rehearse(ctx, plan, pure, func(r runtime.Rehearsal) {
		fmt.Fprintln(w, present.RehearsalText(plan, r))
	})
	if err != nil {
		return err
	}
	present.Rehearsal(w, sum)
	return nil
}
