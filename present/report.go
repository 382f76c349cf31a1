package present

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/runtime"
)

// Report is the JSON report of a run (`poolflow run --report FILE`,
// spec.md §9.6); schema/report.schema.json is generated from this type.
type Report struct {
	Pipeline         string           `json:"pipeline"`
	File             string           `json:"file" doc:"the pipeline file as given"`
	Started          time.Time        `json:"started"`
	Ended            time.Time        `json:"ended"`
	DurationMS       float64          `json:"duration_ms"`
	Params           map[string]any   `json:"params" doc:"every parameter's value after --param"`
	ExitStatus       int              `json:"exit_status" doc:"poolflow's exit code"`
	Outcome          string           `json:"outcome" enum:"succeeded,failed,interrupted"`
	Error            *dsl.ErrorValue  `json:"error" doc:"the failure that ended the run, or null"`
	EndedBy          *EndedByJSON     `json:"ended_by" doc:"when the run was aborted, interrupted or drained; null when it ran to its end"`
	Totals           Totals           `json:"totals"`
	Stages           []ReportStage    `json:"stages"`
	Output           string           `json:"output" doc:"-, the path written, or empty"`
	CallbackFailures []dsl.ErrorValue `json:"callback_failures" doc:"callback failures their policy skipped"`
	RetiredWorkers   []dsl.ErrorValue `json:"retired_workers" doc:"initializer failures their policy skipped"`
	Workers          []WorkerJSON     `json:"workers" doc:"every worker of the run, with its initializer's run"`
	Source           string           `json:"source" doc:"the pipeline file's text, which the failures' positions point into"`
	Items            []ItemJSON       `json:"items" doc:"every item read from the source: by index with order input, as delivered with order completion; last, so that a reader can stream them"`
}

// EndedByJSON is the moment a run was stopped before its end.
type EndedByJSON struct {
	AtMS   float64 `json:"at_ms" doc:"milliseconds from the run's start"`
	Reason string  `json:"reason" enum:"abort,interrupt,drain" doc:"drain: the run took no new item from at_ms on and let the running ones finish"`
}

// ReportStage is one stage's durations: quantiles and a histogram.
type ReportStage struct {
	StageJSON
	Histogram []BinJSON `json:"histogram" doc:"runs per duration, in 1-2-5 bins from the first that holds one to the last"`
}

// BinJSON is one bin of a histogram.
type BinJSON struct {
	UpToMS float64 `json:"up_to_ms" doc:"the bin holds runs that took at most this, and more than the previous bin's bound"`
	Count  int64   `json:"count"`
}

// WorkerJSON is one worker.
type WorkerJSON struct {
	Worker      int       `json:"worker"`
	Initializer *InitJSON `json:"initializer" doc:"null without an initializer, or when it never ran"`
}

// InitJSON is one run of the initializer, its retries included.
type InitJSON struct {
	StartedMS  float64         `json:"started_ms" doc:"milliseconds from the run's start"`
	DurationMS float64         `json:"duration_ms"`
	Status     string          `json:"status" enum:"ok,skipped,failed,cancelled" doc:"skipped: the worker retired; failed: it ended the run"`
	Error      *dsl.ErrorValue `json:"error"`
}

// Totals counts items by status, as the summary does.
type Totals struct {
	Items      int  `json:"items"`
	OK         int  `json:"ok"`
	Skipped    int  `json:"skipped"`
	Failed     int  `json:"failed"`
	Cancelled  int  `json:"cancelled"`
	NotStarted int  `json:"not_started"`
	Unread     bool `json:"unread" doc:"the run ended before the end of a source that does not know its length"`
	Reused     int  `json:"reused" doc:"items not run again: run --resume took their outcome from an earlier run's journal"`
	Retried    int  `json:"retried"`
	Fallbacks  int  `json:"fallbacks"`
	Callbacks  int  `json:"callback_failures" doc:"callback failures their policy skipped; callback_failures lists the first 100"`
}

// ItemJSON is one item of the report.
type ItemJSON struct {
	Index    int           `json:"index"`
	Item     string        `json:"item" doc:"its text, at most 200 characters"`
	Status   string        `json:"status" enum:"ok,skipped,failed,cancelled,not-started"`
	Worker   int           `json:"worker" doc:"-1 if it never started"`
	Reused   bool          `json:"reused" doc:"not run again: its outcome came from an earlier run's journal, and attempts is empty"`
	Node     string        `json:"node,omitempty" doc:"in a distributed run: the worker that ran it (spec.md §6.12); absent otherwise"`
	Runs     int           `json:"runs,omitempty" doc:"in a distributed run: how many times it was handed to a worker; above 1 its steps may have run more than once; absent otherwise"`
	Attempts []AttemptJSON `json:"attempts"`
}

// AttemptJSON is one attempt at an item.
type AttemptJSON struct {
	StartedMS  float64         `json:"started_ms" doc:"milliseconds from the run's start"`
	DurationMS float64         `json:"duration_ms"`
	Error      *dsl.ErrorValue `json:"error" doc:"null for the attempt that succeeded"`
}

// RunInfo is what the caller knows about a run that the engine does not.
type RunInfo struct {
	Started, Ended time.Time
	ExitStatus     int
	Interrupted    bool
	Source         []byte // the pipeline file's text
}

// ReportWriter is an Observer that writes the report of a run, at a cost
// in memory that does not grow with the items: for a JSON report it
// writes them to a spool file as they finish; for the HTML page
// (IsHTML) it puts them on the page, which keeps what it draws within
// its bounds. With order input it holds at most the window's worth of
// items to put them in order. Finish writes the report itself. It is
// safe for concurrent use, as Observers must be.
type ReportWriter struct {
	runtime.NopObserver
	mu      sync.Mutex
	path    string
	spool   *os.File      // JSON: the items so far, a line each
	buf     *bufio.Writer // JSON: writes to spool
	page    *Page         // HTML: the page so far
	ordered bool          // order input: items by index
	next    int           // with ordered, the index to write next
	waiting map[int]runtime.ItemRecord
	err     error     // the first spool write that failed
	origin  time.Time // the run's start: times are written from it
	workers []WorkerJSON
	redact  *Redactor
}

// NewReportWriter starts the report, at path, of a run of plan that
// started at origin, the report's started. A JSON report's spool goes to
// a temporary file in path's folder. The report masks the secrets red
// masks.
func NewReportWriter(plan *dsl.Plan, path string, origin time.Time, red *Redactor) (*ReportWriter, error) {
	w := &ReportWriter{path: path, origin: origin, redact: red, ordered: plan.Order == dsl.OrderInput,
		waiting: map[int]runtime.ItemRecord{}, workers: make([]WorkerJSON, plan.Workers)}
	for i := range w.workers {
		w.workers[i].Worker = i
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".poolflow-report-*.spool") // also tells early that the folder takes files
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // nobody else needs to see it; it goes with the file
	if IsHTML(path) {
		f.Close()
		w.page = NewPage()
		return w, nil
	}
	w.spool, w.buf = f, bufio.NewWriterSize(f, 64<<10)
	return w, nil
}

// StageFinished keeps each worker's run of the initializer.
func (w *ReportWriter) StageFinished(rec runtime.StageRecord) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if rec.Worker < 0 || rec.Worker >= len(w.workers) {
		return // a callback
	}
	w.workers[rec.Worker].Initializer = &InitJSON{StartedMS: ms(rec.Started.Sub(w.origin)), DurationMS: ms(rec.Duration),
		Status: initStatus(rec.Err), Error: value(rec.Err)}
}

// initStatus is how a run of the initializer ended.
func initStatus(err *runtime.Error) string {
	switch {
	case err == nil:
		return "ok"
	case err.Kind == runtime.KindCancelled:
		return "cancelled"
	case err.Outcome.Then == dsl.PolicySkip:
		return "skipped"
	}
	return "failed"
}

// ItemFinished spools an item, in order.
func (w *ReportWriter) ItemFinished(rec runtime.ItemRecord) { w.add(rec) }

// ItemNotStarted spools an item that was read but never started.
func (w *ReportWriter) ItemNotStarted(index int, item any) {
	w.add(runtime.ItemRecord{Index: index, Item: item, Worker: -1, Status: runtime.StatusNotStarted})
}

func (w *ReportWriter) add(rec runtime.ItemRecord) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.ordered {
		w.write(rec)
		return
	}
	w.waiting[rec.Index] = rec
	for {
		r, ok := w.waiting[w.next]
		if !ok {
			return
		}
		delete(w.waiting, w.next)
		w.next++
		w.write(r)
	}
}

// write spools one item as a line of JSON, or puts it on the page; mu is
// held.
func (w *ReportWriter) write(rec runtime.ItemRecord) {
	if w.page != nil {
		w.page.Add(itemJSON(rec, w.origin))
		return
	}
	if w.err != nil {
		return
	}
	enc := json.NewEncoder(w.buf) // a line per item, <, > and & as they are
	enc.SetEscapeHTML(false)
	w.err = enc.Encode(itemJSON(rec, w.origin))
}

// Finish writes the report, atomically: the run's facts r, the workers
// it saw and its items; as JSON, or as the HTML page. It closes the
// spool.
func (w *ReportWriter) Finish(r *Report) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	r.Workers = w.workers
	for _, index := range slices.Sorted(mapKeys(w.waiting)) { // items behind one never delivered
		w.write(w.waiting[index])
	}
	if w.page != nil {
		return w.finishPage(r)
	}
	defer w.spool.Close()
	if err := errors.Join(w.err, w.buf.Flush()); err != nil {
		return fmt.Errorf("spooling the report's items: %w", err)
	}
	if _, err := w.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return files.WriteAtomic(context.Background(), w.path, func(out io.Writer) error {
		return writeReport(w.redact.Writer(out), r, w.spool)
	})
}

// finishPage writes the page, finished with the facts as the JSON report
// would hold them, so that it is the page that report makes.
func (w *ReportWriter) finishPage(r *Report) error {
	facts, err := pageFacts(r)
	if err != nil {
		return err
	}
	w.page.Finish(facts)
	return files.WriteAtomic(context.Background(), w.path, func(out io.Writer) error {
		// The page is written in pieces that may cut a secret in two:
		// masked whole, as it is a few megabytes at most.
		var page bytes.Buffer
		if err := w.page.WriteHTML(&page); err != nil {
			return err
		}
		_, err := io.WriteString(out, w.redact.String(page.String()))
		return err
	})
}

// Close releases what an unfinished report holds.
func (w *ReportWriter) Close() {
	if w.spool != nil {
		w.spool.Close()
	}
}

// writeReport writes r indented, with the items read from items, one JSON
// object per line, in place of r's own (empty) list.
func writeReport(out io.Writer, r *Report, items io.Reader) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	head := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	const empty = "\"items\": []\n}"
	if !bytes.HasSuffix(head, []byte(empty)) {
		return errors.New("the report does not end with its items")
	}
	if _, err := out.Write(head[:len(head)-len(empty)]); err != nil {
		return err
	}
	io.WriteString(out, "\"items\": [")
	scan := bufio.NewScanner(items)
	scan.Buffer(make([]byte, 64<<10), 64<<20)
	for n := 0; scan.Scan(); n++ {
		sep := ",\n    "
		if n == 0 {
			sep = "\n    "
		}
		io.WriteString(out, sep)
		out.Write(scan.Bytes())
	}
	if err := scan.Err(); err != nil {
		return err
	}
	_, err := io.WriteString(out, "\n  ]\n}\n")
	return err
}

func mapKeys[V any](m map[int]V) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// NewReport gathers the facts of a run for its report: plan, summary,
// journal (for the stages), the error Run returned, and what the caller
// knows. Its items come from the ReportWriter.
func NewReport(plan *dsl.Plan, sum *runtime.Summary, j *runtime.Tally, runErr error, info RunInfo) *Report {
	r := &Report{Pipeline: plan.Name, File: plan.File, Started: info.Started, Ended: info.Ended,
		DurationMS: ms(info.Ended.Sub(info.Started)), Params: map[string]any{}, ExitStatus: info.ExitStatus,
		Outcome: "succeeded", Output: sum.Output, CallbackFailures: values(sum.CallbackFailures),
		RetiredWorkers: values(sum.RetiredWorkers), Items: []ItemJSON{}, Stages: reportStages(j), Totals: totalsOf(sum),
		Workers: []WorkerJSON{}, Source: string(info.Source)}
	for _, p := range plan.ParamValues {
		r.Params[p.Name] = p.Value
	}
	var e *runtime.Error
	if errors.As(runErr, &e) {
		v := e.Value()
		r.Error, r.Outcome = &v, "failed"
	}
	if info.Interrupted {
		r.Outcome = "interrupted"
	}
	switch {
	case !sum.AbortedAt.IsZero():
		r.EndedBy = &EndedByJSON{AtMS: ms(sum.AbortedAt.Sub(info.Started)), Reason: "abort"}
		if info.Interrupted {
			r.EndedBy.Reason = "interrupt"
		}
	case sum.Drained: // drained to its end: not aborted after
		r.EndedBy = &EndedByJSON{AtMS: ms(sum.DrainedAt.Sub(info.Started)), Reason: "drain"}
	}
	return r
}

// reportStages are the stages' quantiles and histograms.
func reportStages(j *runtime.Tally) []ReportStage {
	out := []ReportStage{}
	for _, x := range j.StageStats() {
		bins := []BinJSON{}
		for _, b := range x.Bins {
			bins = append(bins, BinJSON{UpToMS: ms(b.UpTo), Count: b.Count})
		}
		out = append(out, ReportStage{StageJSON: StageJSON{Stage: x.Stage, Runs: x.Count, P50MS: ms(x.P50), P95MS: ms(x.P95),
			MaxMS: ms(x.Max)}, Histogram: bins})
	}
	return out
}

// totalsOf counts the items of a run as its summary does: items the run
// never read are counted when the source knows its length, and otherwise
// Unread says that there may be more.
func totalsOf(sum *runtime.Summary) Totals {
	st := sum.Stats
	return Totals{Items: st.OK + st.Skipped + sum.Failed + sum.Cancelled + sum.NotStarted,
		OK: st.OK, Skipped: st.Skipped, Failed: sum.Failed, Cancelled: sum.Cancelled, NotStarted: sum.NotStarted,
		Unread: sum.Unread, Reused: sum.Reused, Retried: st.Retried, Fallbacks: st.Fallbacks, Callbacks: sum.CallbackFailed}
}

// itemJSON is an item of the report, its times from origin.
func itemJSON(rec runtime.ItemRecord, origin time.Time) ItemJSON {
	it := ItemJSON{Index: rec.Index, Item: runtime.ItemText(rec.Item), Status: string(rec.Status), Worker: rec.Worker,
		Reused: rec.Reused, Node: rec.Node, Runs: rec.Runs, Attempts: []AttemptJSON{}}
	if rec.Reused {
		return it
	}
	for _, a := range rec.Attempts {
		it.Attempts = append(it.Attempts, AttemptJSON{StartedMS: ms(a.Started.Sub(origin)), DurationMS: ms(a.Duration), Error: value(a.Err)})
	}
	if len(rec.Attempts) == 0 && rec.Status == runtime.StatusOK {
		it.Attempts = append(it.Attempts, AttemptJSON{StartedMS: ms(rec.Started.Sub(origin)), DurationMS: ms(rec.Duration)})
	}
	return it
}

func value(e *runtime.Error) *dsl.ErrorValue {
	if e == nil {
		return nil
	}
	v := e.Value()
	return &v
}

func values(errs []*runtime.Error) []dsl.ErrorValue {
	out := []dsl.ErrorValue{}
	for _, e := range errs {
		out = append(out, e.Value())
	}
	return out
}
