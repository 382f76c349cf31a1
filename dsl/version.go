package dsl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// Version names what an item's result depends on in the pipeline itself:
// the map stage (steps, result, policy, key and depends), the
// initializer, and the parameters' values after --param. Two plans with
// the same Version compute the same result for the same item from the same
// files, so a journal of one may be reused by the other (run --resume);
// callbacks, output, workers and order do not enter it.
func (p *Plan) Version() string {
	h := sha256.New()
	fmt.Fprintf(h, "poolflow plan v1\n")
	for _, st := range []*Stage{p.Initializer, p.Map} {
		writeStage(h, st)
	}
	params, _ := json.Marshal(p.ParamValues)
	h.Write(params)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// writeStage writes what a stage computes, as text.
func writeStage(w io.Writer, st *Stage) {
	if st == nil {
		fmt.Fprintln(w, "none")
		return
	}
	fmt.Fprintf(w, "stage %s timeout %s\n", st.Name, st.Timeout)
	for _, s := range st.Steps {
		fmt.Fprintf(w, "step %q %s timeout %s if %s expr %s message %s command %s\n", s.Name, s.Kind, s.Timeout,
			progSource(s.If), progSource(s.Expr), templateSource(s.Message), templateSource(s.Command))
		for _, a := range s.Argv {
			fmt.Fprintf(w, "arg %s\n", templateSource(a))
		}
	}
	q := st.Policy
	// The budget's then enters as well: the journaled failure's policy
	// says it ("skip, max_failures, then drain").
	fmt.Fprintf(w, "result %s key %s policy %d %s %s %s %g when %s then %s fallback %s budget %+v then %s\n",
		progSource(st.Result), progSource(st.Key), q.Attempts, q.Delay, q.Backoff, q.MaxDelay, q.Jitter,
		progSource(q.When), q.Then, progSource(q.Fallback), q.MaxFailures.String(), q.MaxFailures.Then)
	for _, d := range st.Depends {
		fmt.Fprintf(w, "depends %s\n", templateSource(d))
	}
}

func progSource(p *Program) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%q", p.Source)
}

func templateSource(t *Template) string {
	if t == nil {
		return "-"
	}
	return fmt.Sprintf("%q", t.Source)
}
