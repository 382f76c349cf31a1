package present

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/poolflow/poolflow/dsl"
)

// relink turns the bars' places among the kept item failures into the
// rendered failures they are.
func relink(bars []Bar, ids []int) {
	for i := range bars {
		if f := bars[i].Failure; f >= 0 {
			bars[i].Failure = ids[f]
		}
	}
}

// renderFailures renders the failures in full, the run's own first, and
// returns, for each kept item failure, the rendered failure it is.
func (p *Page) renderFailures(r *Report) []int {
	src := []byte(r.Source)
	runFailure := -1
	if r.Error != nil {
		runFailure = p.render(src, *r.Error, "error")
	}
	for _, e := range r.RetiredWorkers {
		p.render(src, e, "warning")
	}
	for _, e := range r.CallbackFailures {
		p.render(src, e, "warning")
	}
	ids := make([]int, len(p.itemFailures))
	for i, f := range p.itemFailures {
		switch {
		case p.isRunError(r, f.index, f.failed):
			ids[i] = runFailure
		case f.failed:
			ids[i] = p.render(src, f.err, "error")
		default:
			ids[i] = p.render(src, f.err, "warning")
		}
	}
	total := len(r.RetiredWorkers) + len(r.CallbackFailures) + len(p.itemFailures) + p.moreItems
	if r.Error != nil && !(r.Error.Stage == "map" && slices.Contains(p.failedItems, r.Error.Index)) {
		total++ // the run's error is not an item's, counted among them
	}
	p.MoreFailures = total - len(p.Failures)
	return ids
}

// isRunError reports whether an item's failure is the run's error.
func (p *Page) isRunError(r *Report, index int, failed bool) bool {
	return failed && r.Error != nil && r.Error.Index == index && r.Error.Stage == "map"
}

// render adds a failure rendered in full, unless there are enough.
func (p *Page) render(src []byte, e dsl.ErrorValue, severity string) int {
	if len(p.Failures) >= maxFailureTexts {
		return -1
	}
	var b bytes.Buffer
	sev := dsl.SeverityError
	if severity == "warning" {
		sev = dsl.SeverityWarning
	}
	FailureValue(&b, e, src, Style{}, sev)
	text := b.String()
	if len(text) > maxFailureText {
		cut := cutBytes(text, maxFailureText)
		text = cut + fmt.Sprintf("… %d more bytes: see the JSON report\n", len(text)-len(cut))
	}
	p.Failures = append(p.Failures, FailureText{ID: fmt.Sprintf("failure-%d", len(p.Failures)), Severity: severity,
		Headline: e.Headline, Text: text})
	return len(p.Failures) - 1
}

// endedText says when and why the run was stopped.
func endedText(r *Report) string {
	what := "aborted"
	switch r.EndedBy.Reason {
	case "interrupt":
		what = "interrupted"
	case "drain":
		what = "drained (no new item started)"
	case "killed": // a page from a journal without its end: the last item seen
		what = "killed after its last journaled item"
	}
	text := fmt.Sprintf("%s at %s", what, msText(r.EndedBy.AtMS))
	if r.Error != nil {
		text += ": " + shorten(r.Error.Headline, maxHeadline)
	}
	return text
}

// initBar is a worker's initializer on its lane, or nil.
func (p *Page) initBar(r *Report, w WorkerJSON) *Bar {
	in := w.Initializer
	if in == nil {
		return nil
	}
	b := &Bar{StartMS: in.StartedMS, DurationMS: in.DurationMS, Index: -1, Item: "initializer", Failure: -1,
		Outcome: map[string]Outcome{"ok": OutcomeOK, "skipped": OutcomeSkipped, "failed": OutcomeFailed, "cancelled": OutcomeCancelled}[in.Status]}
	if in.Error != nil {
		b.Headline = shorten(in.Error.Headline, maxHeadline)
		b.Attempt, b.Attempts, b.Item = in.Error.Attempt, in.Error.Attempts, ""
		b.Failure = p.initFailure(r, w.Worker, in.Status)
	}
	return b
}

// initFailure is the rendered failure of a worker's initializer: the
// run's error when it ended the run, else its retirement.
func (p *Page) initFailure(r *Report, w int, status string) int {
	if status == "failed" && r.Error != nil && r.Error.Stage == "initializer" && r.Error.Worker == w {
		return 0
	}
	first := 0
	if r.Error != nil {
		first = 1
	}
	for i, e := range r.RetiredWorkers {
		if e.Worker == w && first+i < len(p.Failures) {
			return first + i
		}
	}
	return -1
}
