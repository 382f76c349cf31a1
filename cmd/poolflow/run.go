package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/runtime"
	"github.com/spf13/cobra"
)

// runFlags are the flags of `poolflow run`.
type runFlags struct {
	loadFlags
	dryRun bool
	quiet  bool
}

func newRun(stdout, stderr io.Writer) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a pipeline (or, with --dry-run, check it and print its plan)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			return run(cmd.Context(), args[0], &f, stdout, stderr)
		},
	}
	f.register(cmd)
	cmd.Flags().IntVarP(&f.workers, "workers", "w", 0, "number of workers (default: the file's, else the number of CPUs)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "check the pipeline and print its plan; run nothing with side effects")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "print no summary and no progress")
	return cmd
}

func run(ctx context.Context, file string, f *runFlags, stdout, stderr io.Writer) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	l := load(file, opts)
	if f.format == "json" {
		if err := writeJSON(stderr, l.diags); err != nil {
			return err
		}
	} else {
		printDiagnostics(stderr, l, styleFor(f.color, stderr))
	}
	if l.failed(f.strict) {
		return &exitError{code: exitInvalid}
	}
	if f.dryRun {
		return dryRun(ctx, l, stdout)
	}
	return execute(l, f, stdout, stderr)
}

// execute runs the plan, with SIGINT and SIGTERM cancelling it as abort-all
// does, and prints how it went.
func execute(l *loaded, f *runFlags, stdout, stderr io.Writer) error {
	ctx, signals := withSignals(context.Background())
	defer signals.stop()
	eng := &runtime.Engine{Stdout: stdout, Log: lineWriter(stderr)}
	sum, err := eng.Run(ctx, l.plan)
	st := styleFor(f.color, stderr)
	for _, cf := range sum.CallbackFailures {
		runtime.RenderError(stderr, cf, l.text, st)
	}
	if err != nil {
		var e *runtime.Error
		if errors.As(err, &e) {
			runtime.RenderError(stderr, e, l.text, st)
		}
	}
	printSummary(stderr, sum, f.quiet)
	switch {
	case signals.received() == syscall.SIGINT:
		return &exitError{code: exitInterrupted}
	case signals.received() == syscall.SIGTERM:
		return &exitError{code: exitTerminated}
	case err != nil:
		return &exitError{code: exitFailed}
	}
	return nil
}

// dryRun prints the plan, counting the items where that calls nothing with
// side effects.
func dryRun(ctx context.Context, l *loaded, stdout io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	pure := func(name string) bool {
		b, ok := builtins.Lookup(name)
		return !ok || !b.SideEffects
	}
	count := "not counted in a dry run (its expression has side effects)"
	n, known, err := runtime.CountItems(ctx, l.plan, pure)
	switch {
	case err != nil:
		count = fmt.Sprintf("cannot be read: %v", err)
	case known && n == 1:
		count = "1 item"
	case known:
		count = fmt.Sprintf("%d items", n)
	}
	l.plan.Describe(stdout, count)
	fmt.Fprintln(stdout, "dry run: nothing was run")
	return nil
}
