package pipetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const src = `version: 1
name: t
workers: 2
items: [a, b, c]
map:
  steps:
    - name: cmd
      sh: 'exit 9'
  result: cmd.stdout
  on_error: %s
output:
  rows: result
tests:
  - name: stubbed
    stubs:
      cmd: {stdout: x}
    inject: ['map/cmd:index=1;kind=expr']
    expect:
      status: 0
      skipped: 1
      items: {1: {status: skipped, attempts: 1}, 2: {status: ok}}
      output: [x, x]
      assert: len(output) == stats.ok
      callbacks: [result]
`

// TestRun: a test that holds passes; with abort-all, each expectation
// that breaks is one problem at its place, with the failure that
// explains it.
func TestRun(t *testing.T) {
	run := func(policy string) Result {
		t.Helper()
		text := []byte(fmt.Sprintf(src, policy))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		results, err := Run(ctx, "p.yaml", text, Options{Load: dsl.Options{Functions: builtins.Options()}, Dir: t.TempDir()})
		if err != nil || len(results) != 1 {
			t.Fatalf("Run: %v, %d results", err, len(results))
		}
		return results[0]
	}
	ok := run("skip")
	if ok.Err != nil || len(ok.Problems) != 1 || ok.Problems[0].What != "expect.callbacks" {
		t.Fatalf("with skip: err %v, problems %+v; want only the callbacks one (there is no result callback)", ok.Err, ok.Problems)
	}
	bad := run("abort-all")
	why := `map/cmd: item 1 "b" failed (abort-all): expr: injected expr failure`
	want := []Problem{
		{Pos: dsl.Pos{File: "p.yaml", Line: 19, Col: 15}, What: "expect.status", Want: "0", Got: "1", Why: why},
		{Pos: dsl.Pos{File: "p.yaml", Line: 20, Col: 16}, What: "expect.skipped", Want: "1", Got: "0", Why: why},
		{Pos: dsl.Pos{File: "p.yaml", Line: 21, Col: 27}, What: "expect.items.1.status", Want: "skipped", Got: "failed", Why: why},
	}
	if got := bad.Problems[:3]; !reflect.DeepEqual(got, want) {
		t.Errorf("problems\n%+v\nwant\n%+v", got, want)
	}
}
