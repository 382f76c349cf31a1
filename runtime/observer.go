package runtime

import (
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// Status is how an item ended.
type Status string

// Item statuses, as the report names them.
const (
	StatusOK         Status = "ok"          // succeeded
	StatusSkipped    Status = "skipped"     // failed for good under skip
	StatusFailed     Status = "failed"      // the failure that ended the run
	StatusCancelled  Status = "cancelled"   // running when the run was cancelled
	StatusNotStarted Status = "not-started" // never started
)

// Attempt is one attempt at an item. Started is read from the same clock
// readings that measure durations: an attempt ends at Started+Duration,
// and the next one starts after its retry wait.
type Attempt struct {
	Started  time.Time
	Duration time.Duration
	Err      *Error // nil for the attempt that succeeded
}

// ItemRecord is everything known about an item once it is finished.
type ItemRecord struct {
	Index    int
	Item     any
	Worker   int
	Status   Status
	Attempts []Attempt // empty for an item that succeeded at its first attempt
	Err      *Error    // the final failure, for skipped, failed and cancelled
	Started  time.Time // when its first attempt started; zero when it never started
	Duration time.Duration
	Fallback bool   // skipped, with the fallback as its result
	Reused   bool   // from an earlier run's journal, not run again
	Node     string // in a distributed run: the worker process that ran it
	Runs     int    // in a distributed run: how many times it was handed out; above 1 when its steps may have run twice
}

// Observer hears what happens during a run, for progress displays and
// reports. Its methods are called from several goroutines at once and must
// be safe for that; they should return quickly, as the run waits for them.
type Observer interface {
	// RunStarted is called once the source is open; total is the number of
	// items when the source knows it, else -1.
	RunStarted(total int)
	// ItemStarted is called when a worker takes an item.
	ItemStarted(index int, item any, worker int)
	// Retrying is called when a failed attempt will be retried after wait.
	Retrying(err *Error, wait time.Duration)
	// ItemFinished is called once per item that was taken, however it ended.
	ItemFinished(rec ItemRecord)
	// ItemNotStarted is called for items read from the source that no
	// worker took before the run ended.
	ItemNotStarted(index int, item any)
	// CallbackFailed is called when a callback fails for good under skip.
	CallbackFailed(err *Error)
	// WorkerRetired is called when a worker's initializer fails for good
	// under skip and other workers go on.
	WorkerRetired(err *Error)
	// StageFinished is called after each run of the initializer (once per
	// worker) and of a callback, however it ended.
	StageFinished(rec StageRecord)
	// Warned is called with what the run finds worth saying but not
	// fatal, such as a source that gave no item.
	Warned(w dsl.Diagnostic)
}

// StageRecord is one run of the initializer or of a callback.
type StageRecord struct {
	Stage    string
	Worker   int       // -1 for callbacks
	Index    int       // the item a result or error callback ran for; else -1
	Started  time.Time // set for the initializer; zero for callbacks, whose timing the report does not show
	Duration time.Duration
	Err      *Error // the final failure, or nil
}

// NopObserver does nothing; embed it to implement only some methods.
type NopObserver struct{}

func (NopObserver) RunStarted(int)                 {}
func (NopObserver) ItemStarted(int, any, int)      {}
func (NopObserver) Retrying(*Error, time.Duration) {}
func (NopObserver) ItemFinished(ItemRecord)        {}
func (NopObserver) ItemNotStarted(int, any)        {}
func (NopObserver) CallbackFailed(*Error)          {}
func (NopObserver) WorkerRetired(*Error)           {}
func (NopObserver) StageFinished(StageRecord)      {}
func (NopObserver) Warned(dsl.Diagnostic)          {}

// Observers fans every event out to each of obs, in order.
type Observers []Observer

func (o Observers) RunStarted(total int) {
	for _, x := range o {
		x.RunStarted(total)
	}
}

func (o Observers) ItemStarted(index int, item any, worker int) {
	for _, x := range o {
		x.ItemStarted(index, item, worker)
	}
}

func (o Observers) Retrying(err *Error, wait time.Duration) {
	for _, x := range o {
		x.Retrying(err, wait)
	}
}

func (o Observers) ItemFinished(rec ItemRecord) {
	for _, x := range o {
		x.ItemFinished(rec)
	}
}

// Draining tells the observers that hear of drains.
func (o Observers) Draining(cause *Error) {
	for _, x := range o {
		if d, ok := x.(DrainObserver); ok {
			d.Draining(cause)
		}
	}
}

func (o Observers) ItemNotStarted(index int, item any) {
	for _, x := range o {
		x.ItemNotStarted(index, item)
	}
}

func (o Observers) CallbackFailed(err *Error) {
	for _, x := range o {
		x.CallbackFailed(err)
	}
}

func (o Observers) WorkerRetired(err *Error) {
	for _, x := range o {
		x.WorkerRetired(err)
	}
}

func (o Observers) StageFinished(rec StageRecord) {
	for _, x := range o {
		x.StageFinished(rec)
	}
}

func (o Observers) Warned(w dsl.Diagnostic) {
	for _, x := range o {
		x.Warned(w)
	}
}
