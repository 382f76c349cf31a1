package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // the run failed or was aborted
	exitInvalid = 2 // invalid pipeline or bad usage
	// A run a signal N ended exits 128+N (signals.go).
)

// exitError carries an exit code out of a command. A nil err means the
// command already said what went wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is a bad-usage error: exit 2 with a message.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitInvalid, err: fmt.Errorf(format, args...)}
}

// Main runs the poolflow command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "poolflow: %v\n", ee.err)
		}
		return ee.code
	}
	// Anything else comes from cobra's flag and argument parsing.
	fmt.Fprintf(stderr, "poolflow: %v\nRun 'poolflow --help' for usage.\n", err)
	return exitInvalid
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "poolflow",
		Short:         "Run YAML pipelines that map steps over many items in parallel, with declared error policies",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.CompletionOptions.DisableDefaultCmd = true
	root.Args = cobra.NoArgs
	root.RunE = func(cmd *cobra.Command, args []string) error {
		cmd.SetOut(stderr)
		cmd.Usage()
		return &exitError{code: exitInvalid}
	}
	root.AddCommand(newValidate(stdout, stderr), newRun(stdout, stderr), newTest(stdout, stderr), newWorker(stderr), newRuns(stdout, stderr), newInit(stdout), newBuiltins(stdout), newSchema(stdout), newReport(stdout), newWatchdog())
	return root
}
