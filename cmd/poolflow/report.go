package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/present"
	"github.com/spf13/cobra"
)

// newReport is `poolflow report FILE -o OUT.html`: the HTML page of a
// JSON report, the one `run --report OUT.html` would have written.
func newReport(stdout io.Writer) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report FILE -o OUT.html",
		Short: "Render the HTML page of a JSON report of a run (run --report FILE.json)",
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
	p, err := present.ReadPage(f)
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
