package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
	"github.com/poolflow/poolflow/runtime"
	"github.com/spf13/cobra"
)

// runFlags are the flags of `poolflow run`.
type runFlags struct {
	loadFlags
	dryRun  bool
	quiet   bool
	verbose bool
	report  string
	items   string
	null    bool
	inject  []string
	stateFlags
	clusterFlags
}

func newRun(stdout, stderr io.Writer) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a pipeline (or, with --dry-run, check it and print its plan)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(cmd); err != nil {
				return err
			}
			if err := f.checkState(); err != nil {
				return err
			}
			if err := f.checkInject(); err != nil {
				return err
			}
			if err := f.checkCluster(cmd); err != nil {
				return err
			}
			return run(cmd.Context(), args[0], &f, stdout, stderr)
		},
	}
	f.register(cmd)
	cmd.Flags().IntVarP(&f.workers, "workers", "w", 0, "number of workers (default: the file's, else the number of CPUs)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "check the pipeline and print its plan; run nothing with side effects")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "print no summary and no progress")
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "also print each failed attempt that is retried")
	cmd.Flags().StringVar(&f.report, "report", "", "write a report of the run to this file, even when it fails: JSON, or an HTML page for .html")
	cmd.Flags().StringVar(&f.items, "items", "", "take the items from the lines of this file, or of standard input for -, instead of the pipeline's")
	cmd.Flags().BoolVarP(&f.null, "null", "0", false, "with --items: items end with a NUL byte (find -print0), not a line break")
	f.registerState(cmd)
	f.registerInject(cmd)
	f.registerCluster(cmd)
	return cmd
}

func run(ctx context.Context, file string, f *runFlags, stdout, stderr io.Writer) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	if f.null && f.items == "" {
		return usageErrorf("--null goes with --items")
	}
	opts.Items, opts.ItemsNull, opts.Inject = f.items, f.null, f.inject
	l := load(file, opts)
	con := &console{w: stderr, src: l.text, style: styleFor(f.color, stderr), json: f.format == "json", verbose: f.verbose,
		injectSrc: injectSource(f.inject)}
	con.diagnostics(l.diags)
	if l.failed(f.strict) {
		return &exitError{code: exitInvalid}
	}
	if l.plan != nil {
		con.redact = present.NewRedactor(l.plan.Secrets)
		con.w = con.redact.Writer(stderr)
	}
	if f.dryRun {
		return dryRun(ctx, l, f, con, stdout, stderr)
	}
	if missing := l.plan.MissingSecrets(); len(missing) > 0 {
		return usageErrorf("secret %s: environment variable %s is not set", missing[0].Name, missing[0].Env)
	}
	return execute(l, f, con, stdout, stderr)
}

// execute runs the plan, with the signals of signals.go cancelling it as
// abort-all does, and tells how it went: failures as they happen, the
// summary, the report. Its commands die with it however it ends: the
// watchdog kills them should this process be killed outright.
func execute(l *loaded, f *runFlags, con *console, stdout, stderr io.Writer) error {
	ctx, signals := withSignals(context.Background(), l.plan.DrainOnInterrupt)
	defer signals.stop()
	enableWatchdog()
	tally := runtime.NewTally()
	observers := runtime.Observers{tally, con}
	started := time.Now() // the report's times are from here
	var report *present.ReportWriter
	if f.report != "" {
		var err error
		if report, err = present.NewReportWriter(l.plan, f.report, started, con.redact); err != nil {
			return &exitError{code: exitFailed, err: fmt.Errorf("--report %s: %w", f.report, err)}
		}
		observers = append(observers, report)
	}
	rec, err := startJournal(f, l, con)
	if err != nil {
		return err
	}
	eng := &runtime.Engine{Stdout: stdout, Log: con.log, Observer: observers, Strict: f.strict}
	if rec != nil {
		eng.Journal = rec
	}
	var tick *ticker
	if showProgress(f, stderr) {
		con.bar = newProgress(con.w, tally, time.Now)
		tick = startTicker(con, 100*time.Millisecond)
		eng.Stdout = &beforeOutput{w: stdout, stop: func() { tick.stop(con) }}
	}
	ctx, finishCluster, err := startCluster(ctx, f, l, eng, con)
	if err != nil {
		return err
	}
	sum, runErr := eng.Run(ctx, l.plan)
	finishCluster(runErr)
	ended := time.Now()
	if tick != nil {
		tick.stop(con)
	}
	var e *runtime.Error
	if errors.As(runErr, &e) {
		con.failure("error", e)
	}
	sig := signals.received(runErr) // once: a SIGPIPE from the summary below must not change the outcome
	code := exitStatus(runErr, sig)
	if rec != nil {
		if err := rec.Finish(outcomeWord(runErr, sig), code, sum.NotStarted, time.Now()); err != nil {
			con.println(fmt.Sprintf("%s: warning: the run's journal is not whole: %v", l.file, err))
		}
	}
	if !f.quiet {
		if con.json {
			con.printJSON(present.Summary(sum, tally))
		} else {
			con.println(present.SummaryText(sum, tally))
		}
	}
	if report != nil {
		info := present.RunInfo{Started: started, Ended: ended, ExitStatus: code, Interrupted: sig != nil, Source: l.text}
		if err := report.Finish(present.NewReport(l.plan, sum, tally, runErr, info)); err != nil {
			return &exitError{code: exitFailed, err: fmt.Errorf("--report %s: %w", f.report, err)}
		}
	}
	if code != exitOK {
		return &exitError{code: code}
	}
	return nil
}

// outcomeWord is how the run ended, as the report and the journal say it.
func outcomeWord(runErr error, sig os.Signal) string {
	switch {
	case sig != nil:
		return "interrupted"
	case runErr != nil:
		return "failed"
	}
	return "succeeded"
}

// exitStatus is the exit code of a run: 128+N after signal N, 1 after a
// failure, else 0.
func exitStatus(runErr error, sig os.Signal) int {
	switch {
	case sig != nil:
		return signalExitCode(sig)
	case runErr != nil:
		return exitFailed
	}
	return exitOK
}

// showProgress: a bar only on a terminal, only for text, never with --quiet.
func showProgress(f *runFlags, w io.Writer) bool {
	return !f.quiet && f.format == "text" && isTerminal(w)
}

// dryRun prints the plan, counting the items where that calls nothing with
// side effects. A source known to give no item is a warning, an error
// under --strict.
func dryRun(ctx context.Context, l *loaded, f *runFlags, con *console, stdout, stderr io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	pure := func(name string) bool {
		b, ok := builtins.Lookup(name)
		return !ok || !b.SideEffects
	}
	c, err := runtime.CountItems(ctx, l.plan, pure)
	if c.Empty != nil {
		con.diagnostics(dsl.Diagnostics{*c.Empty})
	}
	present.Plan(stdout, l.plan, countWords(l.plan, c, err))
	if err == nil && len(l.plan.Injections) > 0 {
		if rerr := rehearse(ctx, l.plan, pure, stdout); rerr != nil {
			fmt.Fprintln(stdout, "dry run: nothing was run")
			fmt.Fprintf(stderr, "poolflow: --inject cannot be rehearsed: %v\n", rerr)
			return &exitError{code: exitFailed}
		}
	}
	fmt.Fprintln(stdout, "dry run: nothing was run")
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "poolflow: the items cannot be read, a run would fail: %v\n", err)
		return &exitError{code: exitFailed}
	case c.Empty != nil && f.strict:
		return &exitError{code: exitInvalid}
	}
	return nil
}

// countWords says how many items a dry run found.
func countWords(plan *dsl.Plan, c runtime.Count, err error) string {
	switch {
	case plan.Items.Stdin:
		return "read when the run starts; not counted in a dry run"
	case err != nil:
		return fmt.Sprintf("cannot be read: %v", err)
	case !c.Known:
		return "not counted in a dry run (its expression has side effects)"
	case c.N == 1:
		return "1 item"
	}
	return fmt.Sprintf("%d items", c.N)
}
