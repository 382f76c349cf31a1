package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/pipetest"
	"github.com/poolflow/poolflow/present"
	"github.com/spf13/cobra"
)

// testFlags are the flags of `poolflow test`.
type testFlags struct {
	loadFlags
	timeout time.Duration
}

func newTest(stdout, stderr io.Writer) *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:   "test FILE...",
		Short: "Run the tests a pipeline file carries (its tests: list)",
		Long: `Run each test of each file's tests: list, in parallel: the pipeline on the
test's items, with its params, injected failures and stubbed commands,
checked against what the test expects. One line per test; a failed test
shows each broken expectation with its place in the file, what it wants
and what the run gave. Exit 0 when every test passes, 1 when one fails,
2 when a file is invalid.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := f.check(cmd); err != nil {
				return err
			}
			return runTests(cmd.Context(), files, &f, stdout, stderr)
		},
	}
	f.register(cmd)
	cmd.Flags().DurationVar(&f.timeout, "timeout", pipetest.DefaultTimeout, "the most one test may run")
	return cmd
}

// runTests loads each file, then runs its tests and prints their lines in
// file order.
func runTests(ctx context.Context, files []string, f *testFlags, stdout, stderr io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	st := styleFor(f.color, stdout)
	failed, invalid := false, false
	for _, file := range files {
		l := load(file, opts)
		l.checkTests(opts)
		if l.failed(f.strict) {
			printDiagnostics(stderr, l, styleFor(f.color, stderr))
			invalid = true
			continue
		}
		results, err := pipetest.Run(ctx, file, l.text, pipetest.Options{Load: opts, Dir: l.plan.Dir, Timeout: f.timeout, Sibling: l.sibling})
		if err != nil {
			return err
		}
		if len(results) == 0 {
			fmt.Fprintf(stderr, "%s: no tests (add a tests: list, or %s; spec.md §11)\n", file, dsl.TestFileOf(file))
		}
		for _, r := range results {
			failed = failed || !r.Passed()
			printTest(stdout, r, f.format == "json", st)
		}
	}
	switch {
	case invalid:
		return &exitError{code: exitInvalid}
	case failed:
		return &exitError{code: exitFailed}
	}
	return nil
}

func printTest(w io.Writer, r pipetest.Result, asJSON bool, st present.Style) {
	if !asJSON {
		present.TestText(w, r, st)
		return
	}
	b, _ := json.Marshal(present.TestLine(r))
	fmt.Fprintln(w, string(b))
}

// readSibling reads the file's sibling test file, when there is one; one
// that cannot be read is a diagnostic.
func (l *loaded) readSibling() {
	name := dsl.TestFileOf(l.file)
	text, err := readPipeline(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		l.diags = append(l.diags, dsl.Diagnostic{Pos: dsl.Pos{File: name}, Severity: dsl.SeverityError, Code: "read",
			Message: fmt.Sprintf("cannot read the tests: %v", unwrapPathError(err))})
		l.plan = nil
	default:
		l.sibling = text
	}
}

// checkTests adds what is wrong with a loaded file's tests to its
// diagnostics; a file with errors in any then fails.
func (l *loaded) checkTests(opts dsl.Options) {
	if l.plan == nil {
		return
	}
	l.readSibling()
	if diags := dsl.CheckTests(l.file, l.text, l.sibling, opts, l.plan.Dir); len(diags) > 0 {
		l.diags = append(l.diags, diags...)
		l.plan = nil
	}
}
