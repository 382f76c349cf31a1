package runtime

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// injected loads src with --inject specs and runs it with a recorder.
func injected(t *testing.T, src string, specs ...string) (outcomeOf, *recorder) {
	t.Helper()
	rec := newRecorder()
	opts := dsl.Options{Functions: append(builtins.Options(), rec.capture()), Workdir: t.TempDir(), Inject: specs}
	plan, diags := dsl.Load("pipeline.yaml", []byte(src), opts)
	if diags.HasErrors() {
		t.Fatalf("pipeline does not load:\n%s", diags.Error())
	}
	return testRun{t: t, plan: plan, observer: rec}.run(), rec
}

const injectPipeline = `version: 1
name: inject
workers: 2
items: {range: [0, 10]}
map:
  steps:
    - name: fetch
      expr: 'capture("ran", item)'
  result: item * 10
  on_error:
    retry: {attempts: 3, delay: 1ms, when: 'error.kind == "timeout"'}
    then: skip
    fallback: '-1'
callbacks:
  error:
    steps: [{expr: 'capture("error", error)'}]
`

// TestInjectionTakesThePolicyPath: item 3 fails with exit 2 (not retried,
// skipped with its fallback), item 7 times out twice and then runs; an
// injected attempt runs no step; the failures are marked injected.
func TestInjectionTakesThePolicyPath(t *testing.T) {
	got, rec := injected(t, injectPipeline, "map/fetch:index=3;kind=exit;code=2;stderr=no such file", "map/1:index=7;kind=timeout;attempts=1-2")
	if got.err != nil {
		t.Fatalf("Run returned %v, want success", got.err)
	}
	ran := rec.values("ran")
	sort.Slice(ran, func(i, j int) bool { return ran[i].(int) < ran[j].(int) })
	if want := []any{0, 1, 2, 4, 5, 6, 7, 8, 9}; !reflect.DeepEqual(ran, want) {
		t.Errorf("the step ran for %v, want %v: an injected attempt runs no step", ran, want)
	}
	if r := rec.record(t, 7); r.Status != StatusOK || len(r.Attempts) != 3 || !r.Attempts[0].Err.Injected || r.Attempts[0].Err.Kind != KindTimeout {
		t.Errorf("item 7: %s after %d attempts; want ok after 3, the first two injected timeouts", r.Status, len(r.Attempts))
	}
	errs := rec.values("error")
	if len(errs) != 1 {
		t.Fatalf("callbacks.error saw %d errors, want 1", len(errs))
	}
	ev := errs[0].(dsl.ErrorValue)
	want := dsl.ErrorValue{Kind: "exit", Message: "exit status 2", Stage: "map", Step: "fetch", Index: 3, Attempt: 1, Attempts: 3,
		Code: 2, Stderr: "no such file", Policy: "retry, then skip", Injected: true, Position: "pipeline.yaml:8:7"}
	gotCore := dsl.ErrorValue{Kind: ev.Kind, Message: ev.Message, Stage: ev.Stage, Step: ev.Step, Index: ev.Index, Attempt: ev.Attempt,
		Attempts: ev.Attempts, Code: ev.Code, Stderr: ev.Stderr, Policy: ev.Policy, Injected: ev.Injected, Position: ev.Position}
	if !reflect.DeepEqual(gotCore, want) {
		t.Errorf("the injected error is\n%+v\nwant\n%+v", gotCore, want)
	}
	if s := got.sum.Stats; s.OK != 9 || s.Skipped != 1 || s.Fallbacks != 1 || s.Retried != 1 {
		t.Errorf("stats %+v; want 9 ok, 1 skipped with a fallback, 1 retried", s)
	}
}

// TestInjectionSelectors: by an expression over item, by a share with a
// seed (the same items every time), and every kind with its default
// message; abort-all and drain take injected failures as real ones.
func TestInjectionSelectors(t *testing.T) {
	tests := []struct {
		name, policy, spec string
		wantStatus         map[int]Status
		wantErr            error
	}{
		{"when", "skip", "map/fetch:when=item % 4 == 1;kind=expr", map[int]Status{1: StatusSkipped, 5: StatusSkipped, 9: StatusSkipped}, nil},
		{"data not retried", "{retry: {attempts: 3}, then: skip}", "map/fetch:index=2;kind=data", map[int]Status{2: StatusSkipped}, nil},
		{"panic", "skip", "map/fetch:index=0,9;kind=panic;message=boom", map[int]Status{0: StatusSkipped, 9: StatusSkipped}, nil},
		{"abort-all", "abort-all", "map/fetch:index=0;kind=exit", map[int]Status{0: StatusFailed}, ErrAborted},
		{"drain", "drain", "map/fetch:index=0;kind=timeout", map[int]Status{0: StatusFailed}, ErrDrained},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := replaceOnce(injectPipeline, `    retry: {attempts: 3, delay: 1ms, when: 'error.kind == "timeout"'}
    then: skip
    fallback: '-1'`, "")
			src = replaceOnce(src, "  on_error:\n", "  on_error: "+tt.policy+"\n")
			src = replaceOnce(src, "workers: 2", "workers: 1")
			got, rec := injected(t, src, tt.spec)
			if tt.wantErr != nil && !errorsIs(got.err, tt.wantErr) || tt.wantErr == nil && got.err != nil {
				t.Fatalf("Run returned %v, want %v", got.err, tt.wantErr)
			}
			failed := map[int]Status{}
			for i, st := range rec.statuses() {
				if st != StatusOK {
					failed[i] = st
				}
			}
			if !reflect.DeepEqual(failed, tt.wantStatus) {
				t.Errorf("items not ok: %v, want %v", failed, tt.wantStatus)
			}
		})
	}
}

// TestInjectionShareIsSeeded: a share picks the same items for the same
// seed, other items for another, and about the share asked.
func TestInjectionShareIsSeeded(t *testing.T) {
	pick := func(seed string) []int {
		src := replaceOnce(injectPipeline, "{range: [0, 10]}", "{range: [0, 1000]}")
		_, rec := injected(t, src, "map/fetch:share=10%;seed="+seed+";kind=exit")
		var out []int
		for i, st := range rec.statuses() {
			if st == StatusSkipped {
				out = append(out, i)
			}
		}
		sort.Ints(out)
		return out
	}
	a, again, b := pick("1"), pick("1"), pick("2")
	if !reflect.DeepEqual(a, again) || reflect.DeepEqual(a, b) {
		t.Errorf("seed 1 picked %d items, then %d others; seed 2 the same ones: %t", len(a), len(again), reflect.DeepEqual(a, b))
	}
	if len(a) < 70 || len(a) > 130 {
		t.Errorf("a share of 10%% of 1000 items picked %d", len(a))
	}
}

// TestRehearse: the dry run's rehearsal of the same injections says what
// the run did, without running a step.
func TestRehearse(t *testing.T) {
	rec := newRecorder()
	opts := dsl.Options{Functions: append(builtins.Options(), rec.capture()), Workdir: t.TempDir(),
		Inject: []string{"map/fetch:index=3;kind=exit;code=2", "map/fetch:index=7;kind=timeout;attempts=1-2"}}
	plan, diags := dsl.Load("pipeline.yaml", []byte(injectPipeline), opts)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var seen []Rehearsal
	sum, err := Rehearse(context.Background(), plan, func(name string) bool { return name != "capture" }, func(r Rehearsal) { seen = append(seen, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0].Index != 3 || seen[0].Status != StatusSkipped || seen[0].Fallback != -1 ||
		seen[1].Index != 7 || seen[1].Status != StatusOK || seen[1].Attempts != 3 {
		t.Errorf("rehearsals %+v; want item 3 skipped with -1, item 7 ok on attempt 3", seen)
	}
	want := RehearsalSummary{Items: 10, OK: 9, Skipped: 1, Fallbacks: 1, Retried: 1, EndedBy: -1}
	if sum != want {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	if ran := rec.values("ran"); len(ran) != 0 {
		t.Errorf("a step ran in a rehearsal: %v", ran)
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
