package present

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// runFailure runs a pipeline that must fail and returns the failure that
// ended it.
func runFailure(t *testing.T, src string) *runtime.Error {
	t.Helper()
	plan, diags := dsl.Load("pipeline.yaml", []byte(src), dsl.Options{Functions: builtins.Options(), Workdir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatalf("pipeline does not load:\n%s", diags.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := (&runtime.Engine{Log: func(string) {}}).Run(ctx, plan)
	var e *runtime.Error
	if !errors.Is(err, runtime.ErrAborted) || !errors.As(err, &e) {
		t.Fatalf("Run returned %v, want an abort with a *runtime.Error", err)
	}
	return e
}

func TestRenderShError(t *testing.T) {
	src := `version: 1
name: t
workers: 1
items: [a.csv]
map:
  steps:
    - name: convert
      sh: 'echo converting ${item}; echo "bad header in ${item}" >&2; exit 3'
`
	e := runFailure(t, src)
	if got, want := e.Error(), `map/convert: item 0 "a.csv": exit status 3`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if e.Evidence.ExitCode != 3 || e.Evidence.Stderr != "bad header in a.csv" {
		t.Errorf("code %d, stderr %q; want 3, %q", e.Evidence.ExitCode, e.Evidence.Stderr, "bad header in a.csv")
	}
	var b bytes.Buffer
	Failure(&b, e, []byte(src), Style{}, dsl.SeverityError)
	want := "pipeline.yaml:8:7: error: map/convert: item 0 \"a.csv\" failed (abort-all)\n" +
		"    |\n" +
		"  8 |       sh: 'echo converting ${item}; echo \"bad header in ${item}\" >&2; exit 3'\n" +
		"    |       ^^\n" +
		"    = error: exit: exit status 3\n" +
		"    = command: echo converting a.csv; echo \"bad header in a.csv\" >&2; exit 3\n" +
		"    = exit status: 3\n" +
		"    = stderr, last 20 lines:\n" +
		"    |   bad header in a.csv\n"
	if got := b.String(); got != want {
		t.Errorf("Failure =\n%s\nwant\n%s", got, want)
	}
}
