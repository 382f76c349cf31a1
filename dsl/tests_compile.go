package dsl

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// stubs puts a test's stubs on the map steps they name.
func (c *compiler) stubs(st *Stage) {
	for _, s := range c.opts.Stubs {
		step := stepNamed(st, s.Step)
		switch {
		case step == nil:
			c.errorf(s.KeyPos, len(s.Step), "stub", "stub a step of the map stage by its name",
				"stubs: the map stage has no step %q", s.Step)
		case step.Kind != StepSh && step.Kind != StepExec:
			c.errorf(s.KeyPos, len(s.Step), "stub", "stub sh and exec steps; an expr step computes its value itself",
				"stubs: step %q is %s, not sh or exec", s.Step, step.Kind)
		case s.Code.Value > 255:
			c.errorf(s.Code.Pos, len(strconv.Itoa(s.Code.Value)), "range", "an exit status is from 0 to 255",
				"stubs.%s.code must be at most 255, got %d", s.Step, s.Code.Value)
		default:
			step.Stub = &ProcessResult{Stdout: s.Stdout.Value, Stderr: s.Stderr.Value, Code: s.Code.Value}
		}
	}
}

func stepNamed(st *Stage, name string) *Step {
	for _, s := range st.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// capture makes the output JSON on standard output for a test: a value
// as json, rows as jsonl.
func (c *compiler) capture(o *Output) {
	if !c.opts.CaptureOutput {
		return
	}
	o.To = &Template{Source: "-", Parts: []Part{{Lit: "-"}}}
	o.Format, o.Columns, o.Header = FormatJSON, nil, nil
	if o.Rows != nil {
		o.Format = FormatJSONL
	}
}

// Output formats.
const (
	FormatJSON  = "json"
	FormatJSONL = "jsonl"
)

// TestOptions are the options that run the pipeline as test t: its items
// (a fixture path read relative to dir), params, injections placed in the
// file, stubs, and the output captured. base holds the functions.
func TestOptions(t *TestNode, base Options, dir string) (Options, error) {
	opts := base
	opts.CaptureOutput, opts.Stubs = true, t.Stubs.List
	opts.Params = map[string]string{}
	for _, p := range t.Params.List {
		text, err := yaml.Marshal(p.Value)
		if err != nil {
			return opts, fmt.Errorf("params.%s: %w", p.Name, err)
		}
		opts.Params[p.Name] = strings.TrimSuffix(string(text), "\n")
	}
	opts.Inject, opts.InjectAt = nil, nil
	for i := range t.Inject.Specs {
		spec := &t.Inject.Specs[i]
		opts.Inject, opts.InjectAt = append(opts.Inject, spec.Src), append(opts.InjectAt, spec.PosAt)
	}
	switch {
	case t.Items.List != nil:
		opts.TestItems = t.Items.List
	case t.Items.Path != "":
		lines, err := readFixture(filepath.Join(dir, t.Items.Path))
		if err != nil {
			return opts, fmt.Errorf("items: %w", err)
		}
		opts.TestItems = lines
	}
	return opts, nil
}

// readFixture reads a test's items file: one item a line.
func readFixture(path string) ([]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	items := []any{}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line != "" {
			items = append(items, line)
		}
	}
	return items, nil
}
