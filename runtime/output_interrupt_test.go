package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/expr-lang/expr"
)

// interrupter is a value whose JSON encoding cancels the run, as a SIGINT
// that arrives while the output is being written.
type interrupter struct{ cancel context.CancelCauseFunc }

func (i interrupter) MarshalJSON() ([]byte, error) {
	i.cancel(ErrInterrupted)
	return []byte(`"encoded"`), nil
}

// Issue 9, point 8: an interrupt during the output write leaves the old
// output file as it was and no temporary file beside it.
func TestOutputInterruptedKeepsTheOldFile(t *testing.T) {
	for _, format := range []string{"json", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			values := expr.Function("values", func(...any) (any, error) {
				return []any{1, interrupter{cancel}, 3}, nil
			}, new(func() []any))
			dir := t.TempDir()
			out := filepath.Join(dir, "out.json")
			if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			plan := loadPlan(t, dir, `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: item
output:
  value: values()
  to: out.json
  format: `+format+`
`, values)
			o := testRun{t: t, plan: plan, ctx: ctx}.run()
			e := abortError(t, o.err)
			if e.Kind != KindInterrupted || !errors.Is(o.err, ErrInterrupted) {
				t.Errorf("the run ended with %v, want the interrupt", o.err)
			}
			if o.sum.Output != "" {
				t.Errorf("summary says the output went to %q", o.sum.Output)
			}
			if got := fileLines(t, dir, "out.json"); !slices.Equal(got, []string{"old"}) {
				t.Errorf("out.json = %q, want the old content", got)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("the folder holds %d entries, want out.json alone", len(entries))
			}
		})
	}
}
