package present

import (
	"strconv"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// The JSON lines of `run --format json` (spec.md §9.5): one object per
// line, each with its type. schema/events.schema.json is generated from
// these types.

// DiagnosticEvent is a validation diagnostic, or a warning about the run.
type DiagnosticEvent struct {
	Type string `json:"type" const:"diagnostic"`
	DiagnosticJSON
}

// LogEvent is a line that log() wrote.
type LogEvent struct {
	Type    string `json:"type" const:"log"`
	Message string `json:"message"`
}

// FailureEvent is a failure: the one that ended the run (type error), or
// one its policy skipped (type skipped: a callback's, an initializer's).
type FailureEvent struct {
	Type     string `json:"type" enum:"error,skipped"`
	Severity string `json:"severity" enum:"error,warning"`
	dsl.ErrorValue
}

// RetryEvent is a failed attempt that will be retried (with --verbose).
type RetryEvent struct {
	Type     string `json:"type" const:"retry"`
	Severity string `json:"severity" const:"warning"`
	dsl.ErrorValue
	WaitMS float64 `json:"wait_ms" doc:"how long until the next attempt"`
}

// DrainEvent says that the run began to drain (spec.md §6.10): it takes
// no new item and lets the running ones finish.
type DrainEvent struct {
	Type    string `json:"type" const:"drain"`
	Message string `json:"message" doc:"why, and what happens now"`
	Kind    string `json:"kind" doc:"the kind of the failure or interruption that began the drain"`
}

// DrainLine is the drain's JSON line.
func DrainLine(cause *runtime.Error) DrainEvent {
	return DrainEvent{Type: "drain", Message: DrainText(cause), Kind: string(cause.Kind)}
}

// DrainText is the line a run prints when it begins to drain.
func DrainText(cause *runtime.Error) string {
	why := cause.Headline()
	if cause.Kind == runtime.KindInterrupted {
		return "draining: " + cause.Message() + "; no new item starts, the running ones finish (the same signal again stops them now)"
	}
	return "draining: " + why + "; no new item starts, the running ones finish"
}

// DiagnosticLine is d as a JSON line.
func DiagnosticLine(d dsl.Diagnostic) DiagnosticEvent {
	return DiagnosticEvent{Type: "diagnostic", DiagnosticJSON: DiagnosticValue(d)}
}

// LogLine is a log() line.
func LogLine(message string) LogEvent { return LogEvent{Type: "log", Message: message} }

// FailureLine is a failure that ended the run (skipped false) or that its
// policy skipped.
func FailureLine(e *runtime.Error, skipped bool) FailureEvent {
	if skipped {
		return FailureEvent{Type: "skipped", Severity: "warning", ErrorValue: e.Value()}
	}
	return FailureEvent{Type: "error", Severity: "error", ErrorValue: e.Value()}
}

// RetryLine is a failed attempt that will be retried after wait.
func RetryLine(e *runtime.Error, wait time.Duration) RetryEvent {
	return RetryEvent{Type: "retry", Severity: "warning", ErrorValue: e.Value(), WaitMS: ms(wait)}
}

// AgainText is the one line a skipped failure of a step that failed
// before is shown as: its place, what failed again, and why.
func AgainText(e *runtime.Error) string {
	return e.At.From.String() + ": warning: " + e.Subject.String() + " failed again (" + e.Outcome.String() + "): " +
		kindText(e) + ": " + firstLine(e.Message())
}

// RetryText is the one line --verbose prints for a retried attempt.
func RetryText(e *runtime.Error, wait time.Duration) string {
	return e.At.From.String() + ": retry: " + e.Subject.String() + ": attempt " + itoa(e.Attempt) + " of " +
		itoa(e.Attempts) + " failed: " + kindText(e) + ": " + firstLine(e.Message()) + "; next in " +
		FormatDuration(wait.Round(time.Millisecond))
}

func itoa(n int) string { return strconv.Itoa(n) }

// kindText is a failure's kind, marked when --inject made it.
func kindText(e *runtime.Error) string {
	if e.Injected {
		return string(e.Kind) + " (injected)"
	}
	return string(e.Kind)
}
