package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// Kind classifies a failure; spec.md §7 lists them.
type Kind string

// Error kinds.
const (
	KindExpr        Kind = "expr"
	KindAssert      Kind = "assert"
	KindExit        Kind = "exit"
	KindTimeout     Kind = "timeout"
	KindPanic       Kind = "panic"
	KindFail        Kind = "fail"
	KindCancelled   Kind = "cancelled"
	KindInit        Kind = "init"
	KindCallback    Kind = "callback"
	KindSource      Kind = "source"
	KindOutput      Kind = "output"
	KindInterrupted Kind = "interrupted"
	KindLimit       Kind = "limit"
	KindMaxFailures Kind = "max_failures"
)

// ErrAborted is matched (errors.Is) by the error Run returns when the run
// was aborted, for whatever reason.
var ErrAborted = errors.New("run aborted")

// ErrInterrupted is the cause a caller gives when it cancels a run because
// of a signal; the run then ends with kind interrupted.
var ErrInterrupted = errors.New("interrupted")

// Error is a failure with everything known about where and why it happened.
// Index and Worker are -1 when they do not apply.
type Error struct {
	Kind     Kind
	Message  string
	Stage    string   // initializer, map, callbacks.result, ..., run, output
	Step     string   // the step's name or "step N"
	Pos      dsl.Pos  // the failing expression or step in the file
	Span     int      // characters to underline from Pos
	Source   string   // the failing expression or template, as written
	SubExpr  string   // the part of Source that failed, when smaller
	Values   []string // "name = value" of the variables Source reads
	Item     any
	Index    int
	Attempt  int // the attempt that failed, from 1
	Attempts int // attempts made in all
	Worker   int
	Duration time.Duration
	Code     int    // exit status of an sh or exec step
	Command  string // the command as run
	Stderr   string // the last lines of its standard error
	Stack    string // the Go stack of a panic
	Policy   string // what the policy did: "retry, then skip"
	Cause    error
}

// Error is one line: where, which item, and why.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Where())
	if e.Index >= 0 {
		fmt.Fprintf(&b, ": item %d %s", e.Index, DisplayItem(e.Item))
	}
	if e.Worker >= 0 && e.Index < 0 {
		fmt.Fprintf(&b, ": worker %d", e.Worker)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (attempt %d of %d)", e.Attempt, e.Attempts)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// Where is STAGE/STEP, or just STAGE.
func (e *Error) Where() string {
	if e.Step == "" {
		return e.Stage
	}
	return e.Stage + "/" + e.Step
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Value is what expressions see as error.
func (e *Error) Value() dsl.ErrorValue {
	pos := ""
	if e.Pos.IsValid() {
		pos = e.Pos.String()
	}
	return dsl.ErrorValue{Kind: string(e.Kind), Message: e.Message, Stage: e.Stage, Step: e.Step,
		Item: e.Item, Index: e.Index, Attempt: e.Attempt, Code: e.Code, Stderr: e.Stderr, Position: pos}
}

// ItemText is an item as plain text, for JSON and reports: a string as it
// is, anything else as in templates, at most 200 characters.
func ItemText(item any) string { return shorten(text(item), 200) }

// DisplayItem shows an item shortly, at most 60 characters: a string
// quoted, anything else in parentheses, so that `item 3 "a.csv"` and
// `item 3 (42)` read well after the index.
func DisplayItem(item any) string {
	s, quoted := text(item), false
	if str, ok := item.(string); ok {
		s, quoted = fmt.Sprintf("%q", str), true
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:56]) + "..."
		if quoted {
			s += `"`
		}
	}
	if quoted {
		return s
	}
	return "(" + s + ")"
}

// kindOf classifies the error of a step. run is the run's context: when it
// is done, whatever the step says, the step was cancelled.
func kindOf(run context.Context, err error) Kind {
	var pe *builtins.PanicError
	var fe *builtins.FailError
	var le *LimitError
	switch {
	case run.Err() != nil:
		return KindCancelled
	case errors.As(err, &le):
		return KindLimit
	case errors.As(err, &pe):
		return KindPanic
	case errors.As(err, &fe):
		return KindFail
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCancelled
	}
	return KindExpr
}
