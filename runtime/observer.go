package runtime

import "time"

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

// Attempt is one attempt at an item.
type Attempt struct {
	Duration time.Duration
	Err      *Error // nil for the attempt that succeeded
}

// ItemRecord is everything known about an item once it is finished.
type ItemRecord struct {
	Index    int
	Item     any
	Worker   int
	Status   Status
	Attempts []Attempt
	Err      *Error // the final failure, for skipped, failed and cancelled
	Duration time.Duration
	Fallback bool // skipped, with the fallback as its result
}

// Observer hears what happens during a run, for progress displays and
// reports. Its methods are called from several goroutines at once and must
// be safe for that; they should return quickly, as the run waits for them.
type Observer interface {
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
}
