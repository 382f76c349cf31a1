package main

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
	"github.com/poolflow/poolflow/runtime"
)

// explode is a builtin that panics, as no real builtin does on its own.
func explode(args ...any) (any, error) {
	var counts map[string]int
	counts[args[0].(string)]++ // assignment to entry in nil map
	return len(counts), nil
}

// panicPipeline calls explode for its one item. Line 8 is
// `      expr: explode(item)`: the call starts at column 13.
const panicPipeline = `version: 1
name: panics
workers: 1
items: [a]
map:
  steps:
    - name: boom
      expr: explode(item)
`

// TestRenderPanic renders the failure of a builtin that panicked: kind
// panic, the panic's message, the values, and the Go stack trimmed to the
// frames from the panic down to expr's VM, each as "function (file:line)".
// The frames hold absolute paths and vary with the build, so they are
// compared as one placeholder and checked on their own.
func TestRenderPanic(t *testing.T) {
	e := runPanic(t)
	var b strings.Builder
	present.Failure(&b, e, []byte(panicPipeline), present.Style{}, dsl.SeverityError)
	text, frames := splitStack(b.String())
	want := `pipeline.yaml:8:13: error: map/boom: item 0 "a" failed (abort-all)
    |
  8 |       expr: explode(item)
    |             ^^^^^^^
    = error: panic: panic in explode: assignment to entry in nil map
    = value: item = "a"
    = stack:
    |   <frames>
`
	if text != want {
		t.Errorf("rendered panic:\n%s\nwant:\n%s", text, want)
	}
	checkFrames(t, frames)
	line := present.FailureLine(e, false)
	if line.Kind != "panic" || !slices.Equal(line.Stack, frames) {
		t.Errorf("JSON kind %v, stack %q; want panic and the frames shown %q", line.Kind, line.Stack, frames)
	}
}

// runPanic runs panicPipeline with explode registered through
// builtins.Guard, as Options registers every builtin, and returns the
// error that ended the run.
func runPanic(t *testing.T) *runtime.Error {
	t.Helper()
	fns := append(builtins.Options(), expr.Function("explode", builtins.Guard("explode", explode), new(func(string) int)))
	plan, diags := dsl.Load("pipeline.yaml", []byte(panicPipeline), dsl.Options{Functions: fns, Workdir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatalf("pipeline does not load: %v", diags)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := (&runtime.Engine{Log: func(string) {}}).Run(ctx, plan)
	var e *runtime.Error
	if !errors.Is(err, runtime.ErrAborted) || !errors.As(err, &e) {
		t.Fatalf("Run returned %v, want an abort with a *runtime.Error", err)
	}
	if e.Kind != runtime.KindPanic {
		t.Fatalf("kind %q, want panic", e.Kind)
	}
	return e
}

// splitStack replaces the quoted lines after "= stack:" with one
// placeholder and returns them apart, without their gutter. It also drops
// the space that NoteLine leaves after a label with no text.
func splitStack(text string) (string, []string) {
	head, stack, ok := strings.Cut(text, "    = stack: \n")
	if !ok {
		head, stack, ok = strings.Cut(text, "    = stack:\n")
	}
	if !ok {
		return text, nil
	}
	var frames []string
	for _, l := range strings.Split(strings.TrimSuffix(stack, "\n"), "\n") {
		frames = append(frames, strings.TrimPrefix(l, "    |   "))
	}
	return head + "    = stack:\n    |   <frames>\n", frames
}

var frameLine = regexp.MustCompile(`^\S+ \(/\S+\.go:[0-9]+\)$`)

// checkFrames checks the trimmed stack: the panicking builtin first, each
// frame "function (file:line)", nothing of the Go runtime, of expr's VM or
// of poolflow's plumbing below it.
func checkFrames(t *testing.T, frames []string) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatal("no stack frames")
	}
	if !strings.HasPrefix(frames[0], "github.com/poolflow/poolflow/cmd/poolflow.explode (") ||
		!strings.Contains(frames[0], "/cmd/poolflow/render_test.go:") {
		t.Errorf("first frame %q, want explode in render_test.go", frames[0])
	}
	for _, f := range frames {
		if !frameLine.MatchString(f) {
			t.Errorf("frame %q is not `function (file:line)`", f)
		}
		if strings.HasPrefix(f, "runtime.") || strings.HasPrefix(f, "runtime/debug.") {
			t.Errorf("frame %q of the Go runtime should have been trimmed", f)
		}
		for _, below := range []string{"github.com/expr-lang/", "poolflow/poolflow/dsl.", "poolflow/poolflow/runtime."} {
			if strings.Contains(f, below) {
				t.Errorf("frame %q is below expr's VM and should have been trimmed", f)
			}
		}
	}
}
