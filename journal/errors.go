package journal

import "github.com/poolflow/poolflow/dsl"

// errorJSON is an error value as a journal keeps it: dsl.ErrorValue less
// what the item's line already says (the item, its index, the worker) and
// with empty members left out. The wire shape writes every member, which
// for a million skipped items is half a gigabyte of "causes":[] and
// "stack":[].
type errorJSON struct {
	Kind       string          `json:"kind"`
	Message    string          `json:"message,omitempty"`
	Headline   string          `json:"headline,omitempty"`
	Stage      string          `json:"stage,omitempty"`
	Step       string          `json:"step,omitempty"`
	NoItem     bool            `json:"no_item,omitempty"` // the failure was about no item: ItemText null
	Attempt    int             `json:"attempt,omitempty"`
	Attempts   int             `json:"attempts,omitempty"`
	Policy     string          `json:"policy,omitempty"`
	Position   string          `json:"position,omitempty"`
	File       string          `json:"file,omitempty"`
	Line       int             `json:"line,omitempty"`
	Column     int             `json:"column,omitempty"`
	EndLine    int             `json:"end_line,omitempty"`
	EndColumn  int             `json:"end_column,omitempty"`
	Causes     []string        `json:"causes,omitempty"`
	Expression string          `json:"expression,omitempty"`
	Values     []dsl.NamedText `json:"values,omitempty"`
	Command    []string        `json:"command,omitempty"`
	Code       int             `json:"code,omitempty"`
	Stderr     string          `json:"stderr,omitempty"`
	Stack      []string        `json:"stack,omitempty"`
	Notes      []dsl.NoteValue `json:"notes,omitempty"`
	Cell       *dsl.CellValue  `json:"cell,omitempty"`
	Injected   bool            `json:"injected,omitempty"`
}

func errorToJournal(v dsl.ErrorValue) errorJSON {
	return errorJSON{Kind: v.Kind, Message: v.Message, Headline: v.Headline, Stage: v.Stage, Step: v.Step,
		NoItem: v.ItemText == nil, Attempt: v.Attempt, Attempts: v.Attempts, Policy: v.Policy, Position: v.Position,
		File: v.File, Line: v.Line, Column: v.Column, EndLine: v.EndLine, EndColumn: v.EndColumn, Causes: v.Causes,
		Expression: v.Expression, Values: v.Values, Command: v.Command, Code: v.Code, Stderr: v.Stderr, Stack: v.Stack,
		Notes: v.Notes, Cell: v.Cell, Injected: v.Injected}
}

// value is the error value again, for an item of the given index and
// text run by worker: the wire shape, with every member.
func (e errorJSON) value(index int, text string, worker int) dsl.ErrorValue {
	v := dsl.ErrorValue{Kind: e.Kind, Message: e.Message, Headline: e.Headline, Stage: e.Stage, Step: e.Step,
		Index: index, Worker: worker, Attempt: e.Attempt, Attempts: e.Attempts, Policy: e.Policy, Position: e.Position,
		File: e.File, Line: e.Line, Column: e.Column, EndLine: e.EndLine, EndColumn: e.EndColumn,
		Causes: nonNil(e.Causes), Expression: e.Expression, Values: nonNil(e.Values), Command: nonNil(e.Command),
		Code: e.Code, Stderr: e.Stderr, Stack: nonNil(e.Stack), Notes: nonNil(e.Notes), Cell: e.Cell, Injected: e.Injected}
	if !e.NoItem {
		v.ItemText = &text
	}
	if e.NoItem {
		v.Index = -1
	}
	return v
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// errorValue is a record's error value, or nil.
func (r *record) errorValue() *dsl.ErrorValue {
	if r.Error == nil {
		return nil
	}
	v := r.Error.value(r.Index, r.Text, r.Worker)
	return &v
}
