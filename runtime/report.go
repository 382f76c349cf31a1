package runtime

import (
	"errors"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// Report is the JSON report of a run (`poolflow run --report FILE`); its
// shape is documented in spec.md and fixed by tests.
type Report struct {
	Pipeline         string         `json:"pipeline"`
	File             string         `json:"file"`
	Started          time.Time      `json:"started"`
	Ended            time.Time      `json:"ended"`
	DurationMS       float64        `json:"duration_ms"`
	Params           map[string]any `json:"params"`
	ExitStatus       int            `json:"exit_status"`
	Outcome          string         `json:"outcome"` // succeeded, failed, interrupted
	Error            *ReportError   `json:"error"`   // what ended the run, or null
	Totals           ReportTotals   `json:"totals"`
	Stages           []ReportStage  `json:"stages"`
	Output           string         `json:"output"`
	CallbackFailures []ReportError  `json:"callback_failures"`
	RetiredWorkers   []ReportError  `json:"retired_workers"`
	Items            []ReportItem   `json:"items"`
}

// ReportTotals counts items by status.
type ReportTotals struct {
	Items      int  `json:"items"`
	OK         int  `json:"ok"`
	Skipped    int  `json:"skipped"`
	Failed     int  `json:"failed"`
	Cancelled  int  `json:"cancelled"`
	NotStarted int  `json:"not_started"`
	Unread     bool `json:"unread"` // the run ended before the end of a source that does not know its length
	Retried    int  `json:"retried"`
	Fallbacks  int  `json:"fallbacks"`
}

// ReportStage is a stage's duration quantiles.
type ReportStage struct {
	Stage string  `json:"stage"`
	Runs  int64   `json:"runs"`
	P50MS float64 `json:"p50_ms"`
	P95MS float64 `json:"p95_ms"`
	MaxMS float64 `json:"max_ms"`
}

// ReportItem is one item.
type ReportItem struct {
	Index    int             `json:"index"`
	Item     string          `json:"item"`
	Status   Status          `json:"status"`
	Worker   int             `json:"worker"`
	Attempts []ReportAttempt `json:"attempts"`
}

// ReportAttempt is one attempt at an item.
type ReportAttempt struct {
	DurationMS float64      `json:"duration_ms"`
	Error      *ReportError `json:"error"`
}

// ReportError is an Error as the report writes it.
type ReportError struct {
	Kind     Kind   `json:"kind"`
	Message  string `json:"message"`
	Stage    string `json:"stage"`
	Step     string `json:"step"`
	Position string `json:"position"`
	Index    int    `json:"index"`
	Attempt  int    `json:"attempt"`
	Worker   int    `json:"worker"`
	Code     int    `json:"code"`
	Stderr   string `json:"stderr"`
}

// RunInfo is what the caller knows about a run that the engine does not.
type RunInfo struct {
	Started, Ended time.Time
	ExitStatus     int
	Interrupted    bool
}

// NewReport builds the report of a run from its plan, summary, journal
// (which must have kept items) and the error Run returned.
func NewReport(plan *dsl.Plan, sum *Summary, j *Journal, runErr error, info RunInfo) *Report {
	r := &Report{Pipeline: plan.Name, File: plan.File, Started: info.Started, Ended: info.Ended,
		DurationMS: ms(info.Ended.Sub(info.Started)), Params: map[string]any{}, ExitStatus: info.ExitStatus,
		Outcome: "succeeded", Output: sum.Output, CallbackFailures: reportErrors(sum.CallbackFailures),
		RetiredWorkers: reportErrors(sum.RetiredWorkers), Items: []ReportItem{}, Stages: []ReportStage{}}
	for _, p := range plan.ParamValues {
		r.Params[p.Name] = p.Value
	}
	var e *Error
	if errors.As(runErr, &e) {
		r.Error = reportError(e)
		r.Outcome = "failed"
	}
	if info.Interrupted {
		r.Outcome = "interrupted"
	}
	for _, st := range j.StageStats() {
		r.Stages = append(r.Stages, ReportStage{Stage: st.Stage, Runs: st.Count, P50MS: ms(st.P50), P95MS: ms(st.P95), MaxMS: ms(st.Max)})
	}
	for _, rec := range j.Items() {
		r.Items = append(r.Items, reportItem(rec))
	}
	r.Totals = totalsOf(sum)
	return r
}

// totalsOf counts the items of a run as its summary does: items the run
// never read are counted when the source knows its length, and otherwise
// Unread says that there may be more.
func totalsOf(sum *Summary) ReportTotals {
	st := sum.Stats
	return ReportTotals{Items: st.OK + st.Skipped + sum.Failed + sum.Cancelled + sum.NotStarted,
		OK: st.OK, Skipped: st.Skipped, Failed: sum.Failed, Cancelled: sum.Cancelled, NotStarted: sum.NotStarted,
		Unread: sum.Unread, Retried: st.Retried, Fallbacks: st.Fallbacks}
}

func reportItem(rec ItemRecord) ReportItem {
	it := ReportItem{Index: rec.Index, Item: ItemText(rec.Item), Status: rec.Status, Worker: rec.Worker, Attempts: []ReportAttempt{}}
	for _, a := range rec.Attempts {
		it.Attempts = append(it.Attempts, ReportAttempt{DurationMS: ms(a.Duration), Error: reportError(a.Err)})
	}
	if len(rec.Attempts) == 0 && rec.Status == StatusOK {
		it.Attempts = append(it.Attempts, ReportAttempt{DurationMS: ms(rec.Duration)})
	}
	return it
}

func reportError(e *Error) *ReportError {
	if e == nil {
		return nil
	}
	pos := ""
	if e.Pos.IsValid() {
		pos = e.Pos.String()
	}
	return &ReportError{Kind: e.Kind, Message: e.Message, Stage: e.Stage, Step: e.Step, Position: pos,
		Index: e.Index, Attempt: e.Attempt, Worker: e.Worker, Code: e.Code, Stderr: e.Stderr}
}

func reportErrors(errs []*Error) []ReportError {
	out := []ReportError{}
	for _, e := range errs {
		out = append(out, *reportError(e))
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}
