package main

import (
	"os"

	"github.com/poolflow/poolflow/proctree"
	"github.com/spf13/cobra"
)

// watchdogCommand is the hidden subcommand a run starts as its watchdog
// (proctree.EnableWatchdog); people never type it.
const watchdogCommand = "__watchdog"

func newWatchdog() *cobra.Command {
	return &cobra.Command{
		Use:    watchdogCommand + " PREFIX",
		Short:  "Kill the processes of a poolflow run once it has exited (internal)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := proctree.Watch(os.Stdin, args[0]); err != nil {
				return &exitError{code: exitInvalid, err: err}
			}
			return nil
		},
	}
}

// enableWatchdog makes the run's first command start the watchdog. The
// name "poolflow" is its argv[0] because the test binary, which doubles as
// poolflow, tells its commands apart by argv[0]; poolflow itself ignores
// it.
func enableWatchdog() { proctree.EnableWatchdog("poolflow", watchdogCommand) }
