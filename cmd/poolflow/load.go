package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
	"github.com/spf13/cobra"
)

// loadFlags are the flags that shape how a pipeline compiles.
type loadFlags struct {
	params  []string
	workers int
	workdir string
	strict  bool
	format  string
	color   string
}

func (f *loadFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVarP(&f.params, "param", "p", nil, "override a parameter: name=value (value read as YAML); repeatable")
	cmd.Flags().StringVar(&f.workdir, "workdir", "", "resolve relative paths against this folder instead of the pipeline's")
	cmd.Flags().BoolVar(&f.strict, "strict", false, "treat warnings as errors")
	cmd.Flags().StringVar(&f.format, "format", "text", "diagnostics format: text or json")
	cmd.Flags().StringVar(&f.color, "color", "auto", "colour: auto, always or never")
}

func (f *loadFlags) check(cmd *cobra.Command) error {
	if cmd.Flags().Changed("workers") && f.workers < 1 {
		return usageErrorf("--workers must be at least 1, got %d", f.workers)
	}
	if f.workers > dsl.MaxWorkers {
		return usageErrorf("--workers must be at most %d, got %d", dsl.MaxWorkers, f.workers)
	}
	if f.workdir != "" {
		if info, err := os.Stat(f.workdir); err != nil || !info.IsDir() {
			return usageErrorf("--workdir %s: not a folder", f.workdir)
		}
	}
	if f.format != "text" && f.format != "json" {
		return usageErrorf("--format must be text or json, got %q", f.format)
	}
	if f.color != "auto" && f.color != "always" && f.color != "never" {
		return usageErrorf("--color must be auto, always or never, got %q", f.color)
	}
	return nil
}

func (f *loadFlags) options() (dsl.Options, error) {
	opts := dsl.Options{Functions: builtins.Options(), Workers: f.workers, Workdir: f.workdir, Params: map[string]string{}}
	for _, p := range f.params {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return opts, usageErrorf("--param %q: write name=value", p)
		}
		opts.Params[name] = value
	}
	return opts, nil
}

// loaded is one pipeline file after loading.
type loaded struct {
	file  string
	text  []byte
	plan  *dsl.Plan
	diags dsl.Diagnostics
	// injectSrc is the text of the --inject specs, which their
	// diagnostics point into.
	injectSrc []byte
	// sibling is the text of the file's sibling test file, nil for none
	// (read by validate and test only).
	sibling []byte
}

// sourceOf is the text the diagnostics of a file point into: the
// pipeline's, its sibling test file's, or the --inject specs'.
func (l *loaded) sourceOf(file string) []byte {
	switch file {
	case dsl.InjectFlagFile:
		return l.injectSrc
	case dsl.TestFileOf(l.file):
		return l.sibling
	}
	return l.text
}

// failed reports whether the file cannot run: an error, or a warning
// under --strict.
func (l *loaded) failed(strict bool) bool {
	return l.plan == nil || (strict && len(l.diags) > 0)
}

func load(file string, opts dsl.Options) *loaded {
	text, err := readPipeline(file)
	switch {
	case errors.Is(err, dsl.ErrTooLarge):
		return &loaded{file: file, diags: dsl.Diagnostics{{Pos: dsl.Pos{File: file}, Code: "too-large",
			Message: err.Error(), Hint: "keep data in files the items read (lines, csv, jsonl), not in the pipeline"}}}
	case err != nil:
		return &loaded{file: file, diags: dsl.Diagnostics{{Pos: dsl.Pos{File: file}, Code: "read",
			Message: fmt.Sprintf("cannot read pipeline: %v", unwrapPathError(err))}}}
	}
	plan, diags := dsl.Load(file, text, opts)
	return &loaded{file: file, text: text, plan: plan, diags: diags, injectSrc: injectSource(opts.Inject)}
}

// readPipeline reads a pipeline file through a limit, so that a file over
// dsl.MaxFileSize, or one that never ends such as /dev/zero, fails at once.
func readPipeline(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, dsl.MaxFileSize+1))
	if err == nil && len(text) > dsl.MaxFileSize {
		err = dsl.ErrTooLarge
	}
	return text, err
}

// unwrapPathError drops the path os adds, which the diagnostic already has.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// printDiagnostics writes diagnostics as text with source snippets.
func printDiagnostics(w io.Writer, l *loaded, st present.Style) {
	for _, d := range l.diags {
		present.Diagnostic(w, d, l.sourceOf(d.Pos.File), st)
	}
}

// writeJSON writes diagnostics as one JSON array.
func writeJSON(w io.Writer, diags dsl.Diagnostics) error {
	out := make([]present.DiagnosticJSON, len(diags))
	for i, d := range diags {
		out[i] = present.DiagnosticValue(d)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
