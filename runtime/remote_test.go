package runtime

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// TestErrorFromGivesTheSameFailure: a failure sent as its Value and
// rebuilt by ErrorFrom, as a distributed run's submitter does, has the
// same Value, message, causes, headline and evidence.
func TestErrorFromGivesTheSameFailure(t *testing.T) {
	at := dsl.Range{From: dsl.Pos{File: "p.yaml", Line: 8, Col: 7}, To: dsl.Pos{File: "p.yaml", Line: 8, Col: 8}}
	orig := &Error{Kind: KindExit, Subject: Subject{Stage: "map", Step: "work", Item: "bad", Index: 0, Worker: 1, Attempt: 2, Attempts: 2},
		At: at, Cause: fmt.Errorf("exit status 7: %w", errors.New("no good")),
		Evidence: Evidence{Argv: []string{"/bin/sh", "-c", "exit 7"}, ExitCode: 7, Stderr: "no good\n"},
		Outcome:  Outcome{Retry: true, Then: dsl.PolicySkip}}
	got := ErrorFrom(orig.Value())
	got.Item = orig.Item
	if !reflect.DeepEqual(got.Value(), orig.Value()) {
		t.Fatalf("value\n%+v\nwant\n%+v", got.Value(), orig.Value())
	}
	if got.Message() != orig.Message() || got.Headline() != orig.Headline() || got.At != orig.At ||
		!reflect.DeepEqual(got.Causes(), orig.Causes()) || !reflect.DeepEqual(got.Evidence, orig.Evidence) {
		t.Fatalf("got %q %q %v %q %+v", got.Message(), got.Headline(), got.At, got.Causes(), got.Evidence)
	}
}

func TestPolicyOutcomeReadsOutcomeString(t *testing.T) {
	for _, o := range []Outcome{{}, {Then: dsl.PolicySkip}, {Retry: true, Then: dsl.PolicyAbortAll}, {Retry: true, Then: dsl.PolicySkip, Budget: true}} {
		if got := policyOutcome(o.String()); got != o {
			t.Errorf("%q: got %+v, want %+v", o.String(), got, o)
		}
	}
}
