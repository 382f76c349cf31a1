package runtime

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/table"
)

// Error is one failure, as data: what kind, on what (the Subject), where
// in the pipeline file, why (Cause, a chain of errors, whose first message
// is the failure's message), what was seen (Evidence), the secondary
// failures that came with it (Notes), and what the policy did. Every way a
// failure is shown, as text, as a JSON line, in the report and as the
// error variable of expressions, is derived from it: package present
// renders it, Value gives its one wire shape.
type Error struct {
	Kind Kind
	Subject
	At       dsl.Range // the failing expression, or the step's action key
	Cause    error     // why: its message is the failure's
	Evidence Evidence
	Notes    []*Note
	Outcome  Outcome // what the policy did with it
	Duration time.Duration
	Injected bool // made by run --inject: the attempt ran no step

	replay *dsl.ErrorValue // a failure of an earlier run, reused from its journal
}

// runError is a failure of the run as a whole, or of a stage outside any
// item or worker: the source, the output, the run's timeout.
func runError(kind Kind, stage string, at dsl.Range, cause error) *Error {
	return &Error{Kind: kind, Subject: Subject{Stage: stage, Index: -1, Worker: -1}, At: at, Cause: cause}
}

// Subject is what a failure is about. Index and Worker are -1 when they do
// not apply; Attempt is 0 outside a policy's attempts.
type Subject struct {
	Stage    string // initializer, map, callbacks.result, ..., items, run, output
	Step     string // the step's name or "step N"; "" for a whole stage
	Item     any
	Index    int
	Worker   int
	Attempt  int // the attempt that failed, from 1
	Attempts int // attempts the policy allows in all
}

// Where is STAGE/STEP, or just STAGE.
func (s Subject) Where() string {
	if s.Step == "" {
		return s.Stage
	}
	return s.Stage + "/" + s.Step
}

// String names the subject in one phrase, the one every display of a
// failure starts with: `map/check: item 3 "a.csv"`, `initializer/db:
// worker 0`, `output`.
func (s Subject) String() string {
	switch {
	case s.Index >= 0:
		return s.Where() + ": item " + strconv.Itoa(s.Index) + " " + DisplayItem(s.Item)
	case s.Worker >= 0:
		return s.Where() + ": worker " + strconv.Itoa(s.Worker)
	}
	return s.Where()
}

// Evidence is what was seen of a failure.
type Evidence struct {
	Expr     string      // the failing sub-expression, when it is more than a name
	Values   []NamedText // the variables the failing expression read, as text
	Argv     []string    // the command as run; for sh, /bin/sh -c TEXT
	ExitCode int         // its exit status (128+N for signal N; -1: it did not start)
	Stderr   string      // the last StderrTailLines lines of its standard error
	Stdout   string      // the head and tail of a standard output that passed limits.output
	Callers  []string    // a panic's Go frames, from the panic down, each function (file:line)
	Cell     *Cell       // the cell of a table that does not fit (kind data), or nil
}

// Cell is where in a table's file a data error is: the file, the line,
// the column by number and name, the cell's text and the record as read.
type Cell = dsl.CellValue

// cellOf is the cell a data error points at, or nil.
func cellOf(err error) *Cell {
	var de *table.DataError
	if !errors.As(err, &de) {
		return nil
	}
	return &Cell{File: de.File, Line: de.Line, Column: de.Column, Name: de.Name, Text: de.Text, Row: de.Row}
}

// NamedText is a variable and its value as text.
type NamedText = dsl.NamedText

// IsShell reports whether the command is an sh step's: /bin/sh -c TEXT.
func (ev Evidence) IsShell() bool {
	return len(ev.Argv) == 3 && ev.Argv[0] == "/bin/sh" && ev.Argv[1] == "-c"
}

// Note is a secondary failure that came with a failure, at its own place
// in the file: a retry.when that could not be evaluated, a fallback that
// failed, the failure budget that was passed.
type Note struct {
	At    dsl.Range
	What  string // the key: retry.when, fallback, max_failures
	Cause error  // its own failure; nil for max_failures
	Text  string // what it says, without its cause's message
}

// Error is the note in one line: `retry.when failed: ...`.
func (n *Note) Error() string {
	if n.Cause == nil {
		return n.What + " " + n.Text
	}
	return n.What + " " + n.Text + ": " + MessageOf(n.Cause)
}

// Unwrap returns the note's own failure.
func (n *Note) Unwrap() error { return n.Cause }

// Outcome is what a policy did with a failure.
type Outcome struct {
	Retry  bool   // the policy retries (more than one attempt allowed)
	Then   string // skip, abort-all or drain; "" when nothing was decided (cancelled, or no policy applies)
	Budget bool   // the failure passed max_failures, which turned skip into abort-all (or drain)
	Drain  bool   // with Budget: max_failures' then is drain
}

// String says it in a few words: `retry, then skip`, `skip, max_failures`,
// `retry, then drain`, `skip, max_failures, then drain`.
func (o Outcome) String() string {
	if o.Then == "" {
		return ""
	}
	s := o.Then
	if o.Retry {
		s = "retry, then " + s
	}
	if o.Budget {
		s += ", max_failures"
	}
	if o.Drain {
		s += ", then drain"
	}
	return s
}

// Message is why the failure happened: its cause's message, without expr's
// snippet of the source, which the renderer shows from the file itself.
func (e *Error) Message() string {
	if e.replay != nil {
		return e.replay.Message
	}
	if inner, ok := e.Cause.(*Error); ok {
		return inner.Message()
	}
	if e.Cause == nil {
		return string(e.Kind)
	}
	return MessageOf(e.Cause)
}

// Error is one line: the subject, the attempt, and why.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Subject.String())
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (attempt %d of %d)", e.Attempt, e.Attempts)
	}
	b.WriteString(": ")
	b.WriteString(e.Message())
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Headline is the first line of the failure as poolflow prints it: the
// subject, how many attempts, what the policy did.
func (e *Error) Headline() string {
	var b strings.Builder
	b.WriteString(e.Subject.String())
	b.WriteString(" failed")
	if e.Attempts > 1 {
		b.WriteString(" after " + strconv.Itoa(e.Attempt) + " of " + strconv.Itoa(e.Attempts) + " attempts")
	}
	if o := e.Outcome.String(); o != "" {
		b.WriteString(" (" + o + ")")
	}
	return b.String()
}

// Causes lists the messages of the wrapped causes that add something to
// the message already given: the chain below the first cause, in order.
func (e *Error) Causes() []string {
	var out []string
	seen := e.Message()
	for err := errors.Unwrap(e.Cause); err != nil; err = errors.Unwrap(err) {
		msg := MessageOf(err)
		if inner, ok := err.(*Error); ok {
			msg = inner.Message()
		}
		if restatesKind(msg) || strings.Contains(seen, msg) {
			continue
		}
		out = append(out, msg)
		seen += "\n" + msg
	}
	return out
}

// restatesKind: a context's own message says no more than the kind.
func restatesKind(msg string) bool {
	return msg == "context deadline exceeded" || msg == "context canceled"
}

// Value is the failure in its one wire shape: the error variable of
// expressions, and the JSON of JSON lines and the report.
func (e *Error) Value() dsl.ErrorValue {
	if e.replay != nil { // as journaled, for this run's item
		v := *e.replay
		v.Item, v.Index, v.Worker = e.Item, e.Index, e.Worker
		if v.ItemText != nil {
			text := ItemText(e.Item)
			v.ItemText = &text
		}
		v.Notes = slices.Clone(v.Notes)
		for _, n := range e.Notes {
			v.Notes = append(v.Notes, noteValue(n))
		}
		return v
	}
	v := dsl.ErrorValue{Kind: string(e.Kind), Message: e.Message(), Headline: e.Headline(),
		Stage: e.Stage, Step: e.Step, Item: e.Item, Index: e.Index, Worker: e.Worker,
		Attempt: e.Attempt, Attempts: e.Attempts, Policy: e.Outcome.String(),
		Causes: nonNil(e.Causes()), Expression: e.Evidence.Expr, Values: nonNilText(e.Evidence.Values),
		Command: nonNil(e.Evidence.Argv), Code: e.Evidence.ExitCode, Stderr: e.Evidence.Stderr,
		Stack: nonNil(e.Evidence.Callers), Notes: []dsl.NoteValue{}, Cell: e.Evidence.Cell, Injected: e.Injected}
	if e.Index >= 0 {
		text := ItemText(e.Item)
		v.ItemText = &text
	}
	if p := e.At.From; p.IsValid() {
		end := e.At.End()
		v.Position, v.File, v.Line, v.Column, v.EndLine, v.EndColumn = p.String(), p.File, p.Line, p.Col, end.Line, end.Col
	} else {
		v.File = p.File
	}
	for _, n := range e.Notes {
		v.Notes = append(v.Notes, noteValue(n))
	}
	return v
}

func noteValue(n *Note) dsl.NoteValue {
	nv := dsl.NoteValue{Message: n.Error(), File: n.At.From.File, Line: n.At.From.Line, Column: n.At.From.Col}
	if n.At.From.IsValid() {
		end := n.At.End()
		nv.Position, nv.EndLine, nv.EndColumn = n.At.From.String(), end.Line, end.Col
	}
	return nv
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilText(s []NamedText) []NamedText {
	if s == nil {
		return []NamedText{}
	}
	return s
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
		s, quoted = strconv.Quote(str), true
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

// shorten cuts s to n characters, ending with ... when cut.
func shorten(s string, n int) string {
	if len(s) <= n { // no more runes than bytes: nothing to count
		return s
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}

// rangeOf is where a program stands in the file: its first line.
func rangeOf(p *dsl.Program) dsl.Range {
	src := p.Source
	if i := strings.IndexByte(src, '\n'); i >= 0 {
		src = src[:i]
	}
	return dsl.Over(p.Pos, len([]rune(strings.TrimRight(src, " "))))
}
