package main

import (
	"fmt"
	"io"

	"github.com/poolflow/poolflow/dsl"
	"github.com/spf13/cobra"
)

func newValidate(stdout, stderr io.Writer) *cobra.Command {
	var f loadFlags
	var inject []string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check pipeline files without running anything",
		Long: `Parse, validate and type-check pipeline files, and report every problem
with its file, line and column. Exit 0 when all are valid, 2 otherwise.
With --format json the diagnostics go to stdout as one JSON array.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := f.check(cmd); err != nil {
				return err
			}
			opts, err := f.options()
			if err != nil {
				return err
			}
			opts.Inject = inject
			return validate(files, opts, &f, stdout, stderr)
		},
	}
	f.register(cmd)
	cmd.Flags().StringArrayVar(&inject, "inject", nil, "also check these run --inject specs against each file (repeatable)")
	return cmd
}

func validate(files []string, opts dsl.Options, f *loadFlags, stdout, stderr io.Writer) error {
	var all dsl.Diagnostics
	bad := false
	st := styleFor(f.color, stderr)
	for _, file := range files {
		l := load(file, opts)
		l.checkTests(opts)
		all = append(all, l.diags...)
		bad = bad || l.failed(f.strict)
		if f.format == "json" {
			continue
		}
		printDiagnostics(stderr, l, st)
		if !l.failed(f.strict) {
			fmt.Fprintf(stdout, "%s: ok%s\n", file, warningCount(l.diags))
		}
	}
	if f.format == "json" {
		if err := writeJSON(stdout, all); err != nil {
			return err
		}
	}
	if bad {
		return &exitError{code: exitInvalid}
	}
	return nil
}

func warningCount(ds dsl.Diagnostics) string {
	switch n := ds.Count(dsl.SeverityWarning); n {
	case 0:
		return ""
	case 1:
		return " (1 warning)"
	default:
		return fmt.Sprintf(" (%d warnings)", n)
	}
}
