package dsl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
)

// paramPlace puts a diagnostic about a test's param, which the compiler
// gives as about --param NAME without a place, at the param in the file.
func paramPlace(t *TestNode, d Diagnostic) (Pos, string) {
	if d.Pos.IsValid() {
		return d.Pos, d.Message
	}
	for _, p := range t.Params.List {
		if flag := "--param " + p.Name; strings.Contains(d.Message, flag) {
			return p.KeyPos, strings.Replace(d.Message, flag, "params."+p.Name, 1)
		}
	}
	return d.Pos, d.Message
}

// AssertEnv is what test.expect.assert sees: the output read back, and the
// run's counts.
type AssertEnv struct {
	Output any            `expr:"output"`
	Stats  map[string]int `expr:"stats"`
}

// testCallbacks are the names expect.callbacks takes.
var testCallbacks = []string{"result", "error", "done"}

// CheckTests compiles the pipeline once for each of its tests (its own,
// then those of its sibling test file, whose text is sibling, nil for
// none), as
// `poolflow test` will run it, and returns what is wrong with them, each
// at its place in the file: a spec of inject, a stub of a step that is
// not an sh or exec step of the map stage, a fixture that cannot be read,
// a param of the wrong type, an assert that does not compile, a callback
// that is not one. The pipeline itself must have loaded with base.
func CheckTests(file string, text, sibling []byte, base Options, dir string) Diagnostics {
	tests, err := AllTests(file, text, sibling)
	var ds Diagnostics
	if errors.As(err, &ds) {
		return ds // the sibling's own problems; the pipeline's the load reported
	}
	var out Diagnostics
	for i := range tests {
		out = append(out, checkTest(&tests[i], file, text, base, dir)...)
	}
	out.Sort()
	return out
}

func checkTest(t *TestNode, name string, text []byte, base Options, dir string) Diagnostics {
	var out Diagnostics
	errorf := func(pos Pos, span int, format string, args ...any) {
		out = append(out, Diagnostic{Pos: pos, Span: span, Severity: SeverityError, Code: "test", Message: fmt.Sprintf(format, args...)})
	}
	opts, err := TestOptions(t, base, dir)
	if err != nil {
		errorf(t.Items.Pos, 1, "test %q: %v", t.Name.Value, err)
		opts.TestItems = nil // check the rest with the pipeline's items
	}
	if _, diags := Load(name, text, opts); diags.HasErrors() {
		for _, d := range diags {
			if d.Severity == SeverityError {
				d.Pos, d.Message = paramPlace(t, d)
				d.Message = fmt.Sprintf("test %q: %s", t.Name.Value, d.Message)
				out = append(out, d)
			}
		}
	}
	if a := &t.Expect.Assert; a.Src != "" {
		if _, err := expr.Compile(a.Src, expr.Env(AssertEnv{}), expr.AsBool()); err != nil {
			pos, msg := a.PosAt(0), err.Error()
			var fe *file.Error
			if errors.As(err, &fe) {
				pos, msg = a.PosAt(max(0, fe.Column)), fe.Message
			}
			errorf(pos, 1, "test %q: expect.assert: %s", t.Name.Value, msg)
		}
	}
	for _, c := range t.Expect.Callbacks.Values {
		if !contains(testCallbacks, c.Value) {
			errorf(c.Pos, len(c.Value), "test %q: expect.callbacks: %q is not a callback; use %s", t.Name.Value, c.Value, oneOf(testCallbacks))
		}
	}
	return out
}
