package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
	"github.com/spf13/cobra"
)

//go:embed starter.yaml
var starterPipeline []byte

const starterInput = "the quick brown fox\njumps over\nthe lazy dog\n"

func newBuiltins(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "builtins",
		Short: "List the functions expressions may call, with their signatures",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := io.WriteString(stdout, builtins.Listing())
			return err
		},
	}
}

func newSchema(stdout io.Writer) *cobra.Command {
	var report, events, tests bool
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of pipeline files (for editors), of the report, or of the JSON lines",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case report && events, report && tests, events && tests:
				return usageErrorf("--report, --events and --tests: one schema at a time")
			case report:
				return writeJSONSchema(stdout, present.ReportSchema())
			case events:
				return writeJSONSchema(stdout, present.EventsSchema())
			case tests:
				return writeJSONSchema(stdout, present.TestsSchema())
			}
			return writeJSONSchema(stdout, dsl.Schema())
		},
	}
	cmd.Flags().BoolVar(&report, "report", false, "the schema of run --report's JSON")
	cmd.Flags().BoolVar(&events, "events", false, "the schema of one line of run --format json")
	cmd.Flags().BoolVar(&tests, "tests", false, "the schema of one line of test --format json")
	return cmd
}

func writeSchema(w io.Writer) error { return writeJSONSchema(w, dsl.Schema()) }

func writeJSONSchema(w io.Writer, schema map[string]any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(schema)
}

func newInit(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented starter pipeline, its schema and a sample input",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return initProject(dir, stdout)
		},
	}
}

// initProject writes pipeline.yaml, pipeline.schema.json and input.txt in
// dir. It never overwrites a pipeline; the schema is always current.
func initProject(dir string, stdout io.Writer) error {
	pipeline := filepath.Join(dir, "pipeline.yaml")
	if _, err := os.Stat(pipeline); err == nil {
		return usageErrorf("%s already exists; init writes a new pipeline only", pipeline)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	f, err := os.Create(filepath.Join(dir, "pipeline.schema.json"))
	if err == nil {
		err = errors.Join(writeSchema(f), f.Close())
	}
	if err == nil {
		err = writeIfMissing(filepath.Join(dir, "input.txt"), []byte(starterInput))
	}
	if err == nil {
		err = os.WriteFile(pipeline, starterPipeline, 0o644)
	}
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	fmt.Fprintf(stdout, "wrote %s, its schema and a sample input\nnext: poolflow validate %s && poolflow run %s\n", pipeline, pipeline, pipeline)
	return nil
}

func writeIfMissing(path string, data []byte) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
