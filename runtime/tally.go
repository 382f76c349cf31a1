package runtime

import (
	"sync"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// Tally is an Observer that keeps what a summary and a progress display
// need: counts, per-stage duration quantiles, the slowest items, in
// constant memory. It is safe for concurrent use.
type Tally struct {
	mu         sync.Mutex
	total      int
	retrying   map[int]bool
	done       int
	failed     int
	stages     map[string]*durations
	stageOrder []string
	slow       slowest
	ranAgain   int // items handed out more than once in a distributed run
}

// NewTally returns an empty Tally.
func NewTally() *Tally {
	return &Tally{total: -1, retrying: map[int]bool{},
		stages: map[string]*durations{}, slow: slowest{k: 5}}
}

func (j *Tally) RunStarted(total int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.total = total
}

// ItemStarted does nothing: nothing the journal keeps needs it, and a
// counter shared by the workers would cost every item a contended write.
func (j *Tally) ItemStarted(index int, item any, worker int) {}

func (j *Tally) Retrying(err *Error, wait time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err.Index >= 0 {
		j.retrying[err.Index] = true
	}
}

func (j *Tally) ItemFinished(rec ItemRecord) {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.retrying, rec.Index)
	j.done++
	if rec.Runs > 1 {
		j.ranAgain++
	}
	if rec.Status != StatusOK {
		j.failed++
	}
	if rec.Status != StatusCancelled && !rec.Reused { // a reused item did not run here
		j.stage("map").Add(rec.Duration)
		j.slow.Add(rec.Index, rec.Item, rec.Duration)
	}
}

func (j *Tally) ItemNotStarted(index int, item any) {}

func (j *Tally) CallbackFailed(*Error) {}
func (j *Tally) Warned(dsl.Diagnostic) {}
func (j *Tally) WorkerRetired(*Error)  {}

func (j *Tally) StageFinished(rec StageRecord) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.stage(rec.Stage).Add(rec.Duration)
}

// stage returns the histogram of a stage, creating it; mu is held.
func (j *Tally) stage(name string) *durations {
	h, ok := j.stages[name]
	if !ok {
		h = &durations{}
		j.stages[name] = h
		j.stageOrder = append(j.stageOrder, name)
	}
	return h
}

// Progress is a snapshot for a progress display.
type Progress struct {
	Total    int // -1 when unknown
	Done     int
	Failed   int
	Retrying int
}

// Progress returns the counts so far.
func (j *Tally) Progress() Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Progress{Total: j.total, Done: j.done, Failed: j.failed, Retrying: len(j.retrying)}
}

// StageStat is the duration quantiles of one stage.
type StageStat struct {
	Stage string        `json:"stage"`
	Count int64         `json:"count"`
	P50   time.Duration `json:"-"`
	P95   time.Duration `json:"-"`
	Max   time.Duration `json:"-"`
	Bins  []Bin         `json:"-"` // the histogram, in 1-2-5 bins
}

// StageStats returns each stage's quantiles, in the order stages first ran.
func (j *Tally) StageStats() []StageStat {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]StageStat, 0, len(j.stageOrder))
	for _, name := range j.stageOrder {
		h := j.stages[name]
		out = append(out, StageStat{Stage: name, Count: h.Count(), P50: h.Quantile(0.5), P95: h.Quantile(0.95), Max: h.Max(), Bins: h.Bins()})
	}
	return out
}

// Slowest returns the slowest items, slowest first.
func (j *Tally) Slowest() []SlowItem {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.slow.List()
}

// RanAgain is how many items of a distributed run were handed out more
// than once, a worker having been lost with them: their steps may have
// run twice.
func (j *Tally) RanAgain() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ranAgain
}
