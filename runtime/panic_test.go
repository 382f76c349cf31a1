package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/poolflow/poolflow/builtins"
)

// boom is a function that panics on item 1, registered as the builtins
// are, through builtins.Guard.
var boom = expr.Function("boom", builtins.Guard("boom", func(args ...any) (any, error) {
	if args[0].(int) == 1 {
		var m map[string]int
		m["x"] = 1 // assignment to entry in nil map
	}
	return args[0], nil
}), new(func(int) any))

func TestPanicSkipped(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
workers: 2
items: {range: [0, 4]}
map:
  steps:
    - name: value
      expr: boom(index)
  on_error: skip
callbacks:
  error:
    steps:
      - expr: capture("error", error.kind + "|" + error.message)
output:
  format: json
`, boom)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if got, want := o.stdout, "[\n  0,\n  2,\n  3\n]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if got, want := rec.values("error"), []any{"panic|panic in boom: assignment to entry in nil map"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("callbacks.error saw %q, want %q", got, want)
	}
	e := rec.record(t, 1).Err
	if e == nil || e.Kind != KindPanic {
		t.Fatalf("item 1 error = %+v, want kind panic", e)
	}
	if c := e.Evidence.Callers; len(c) == 0 || !strings.Contains(c[0], "panic_test.go:") {
		t.Errorf("callers = %q, want the frames from the panicking test function down", c)
	}
}

func TestPanicAbortAll(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: boom(item)
`, boom)
	e := abortError(t, o.err)
	if got, want := e.Error(), "map/step 1: item 0 (1): panic in boom: assignment to entry in nil map"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if e.Kind != KindPanic || len(e.Evidence.Callers) == 0 {
		t.Errorf("kind %s, stack %d bytes; want panic with a stack", e.Kind, len(e.Evidence.Callers))
	}
	var pe *builtins.PanicError
	if !errors.As(o.err, &pe) || pe.Func != "boom" {
		t.Errorf("errors.As(err, *builtins.PanicError) = %v, want the panic of boom", pe)
	}
}
