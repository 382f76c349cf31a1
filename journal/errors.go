package journal

import (
	"encoding/json"
	"strconv"

	"github.com/poolflow/poolflow/dsl"
)

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

// appendError appends e's JSON to b: the members of errorJSON in their
// order, those that are empty left out, written by hand for the reason
// encodeRecord is. Notes and a table cell, which few failures have, are
// left to encoding/json.
func appendError(b []byte, e *errorJSON) ([]byte, error) {
	b = appendString(append(b, `{"kind":`...), e.Kind)
	for _, m := range e.strings() {
		if *m.s != "" {
			b = appendString(append(b, m.key...), *m.s)
		}
	}
	if e.NoItem {
		b = append(b, `,"no_item":true`...)
	}
	for _, m := range e.ints() {
		if *m.n != 0 {
			b = strconv.AppendInt(append(b, m.key...), int64(*m.n), 10)
		}
	}
	for _, m := range e.lists() {
		if len(*m.l) > 0 {
			b = appendStrings(append(b, m.key...), *m.l)
		}
	}
	if len(e.Values) > 0 {
		b = append(b, `,"values":[`...)
		for i, v := range e.Values {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(append(b, `{"name":`...), v.Name)
			b = append(appendString(append(b, `,"value":`...), v.Value), '}')
		}
		b = append(b, ']')
	}
	for _, m := range []struct {
		key string
		v   any
		set bool
	}{{`,"notes":`, e.Notes, len(e.Notes) > 0}, {`,"cell":`, e.Cell, e.Cell != nil}} {
		if m.set {
			raw, err := json.Marshal(m.v)
			if err != nil {
				return nil, err
			}
			b = append(append(b, m.key...), raw...)
		}
	}
	return append(b, '}'), nil
}

// parseError reads what appendError writes; ok is false for anything
// else, which the caller then decodes with encoding/json.
func parseError(raw []byte) (e errorJSON, ok bool) {
	p := &parser{b: raw}
	if !p.lit(`{"kind":`) || !p.str(&e.Kind) {
		return e, false
	}
	for _, m := range e.strings() {
		if p.lit(m.key) && !p.str(m.s) {
			return e, false
		}
	}
	e.NoItem = p.lit(`,"no_item":true`)
	for _, m := range e.ints() {
		if p.lit(m.key) && !p.int(m.n) {
			return e, false
		}
	}
	for _, m := range e.lists() {
		if p.lit(m.key) && (!p.lit("[") || !p.strings(m.l)) {
			return e, false
		}
	}
	if p.lit(`,"values":[`) {
		for first := true; !p.lit("]"); first = false {
			var v dsl.NamedText
			if (!first && !p.lit(",")) || !p.lit(`{"name":`) || !p.str(&v.Name) || !p.lit(`,"value":`) ||
				!p.str(&v.Value) || !p.lit("}") {
				return e, false
			}
			e.Values = append(e.Values, v)
		}
	}
	for _, m := range []struct {
		key string
		to  any
	}{{`,"notes":`, &e.Notes}, {`,"cell":`, &e.Cell}} {
		if p.lit(m.key) {
			v, ok := p.value()
			if !ok || json.Unmarshal(v, m.to) != nil {
				return e, false
			}
		}
	}
	return e, p.lit("}") && len(p.b) == 0
}

type stringMember struct {
	key string
	s   *string
}

// strings, ints and lists are e's members of each type in the order
// appendError writes them (after kind, before values).
func (e *errorJSON) strings() []stringMember {
	return []stringMember{{`,"message":`, &e.Message}, {`,"headline":`, &e.Headline}, {`,"stage":`, &e.Stage},
		{`,"step":`, &e.Step}, {`,"policy":`, &e.Policy}, {`,"position":`, &e.Position}, {`,"file":`, &e.File},
		{`,"expression":`, &e.Expression}, {`,"stderr":`, &e.Stderr}}
}

type intMember struct {
	key string
	n   *int
}

func (e *errorJSON) ints() []intMember {
	return []intMember{{`,"attempt":`, &e.Attempt}, {`,"attempts":`, &e.Attempts}, {`,"line":`, &e.Line},
		{`,"column":`, &e.Column}, {`,"end_line":`, &e.EndLine}, {`,"end_column":`, &e.EndColumn}, {`,"code":`, &e.Code}}
}

type listMember struct {
	key string
	l   *[]string
}

func (e *errorJSON) lists() []listMember {
	return []listMember{{`,"causes":`, &e.Causes}, {`,"command":`, &e.Command}, {`,"stack":`, &e.Stack}}
}

func appendStrings(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}
