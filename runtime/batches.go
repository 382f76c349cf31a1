package runtime

import "sync"

// Batches of jobs and outcomes are recycled: a run of many quick items
// would otherwise allocate a slice per batch. A slice goes back to its pool
// only once nothing refers to it (the collector copies outcomes out).
var (
	jobPool     = sync.Pool{New: func() any { return new([]job) }}
	outcomePool = sync.Pool{New: func() any { return new([]outcome) }}
)

func getJobs(n int) []job {
	b := *jobPool.Get().(*[]job)
	if cap(b) < n {
		return make([]job, 0, n)
	}
	return b[:0]
}

func putJobs(b []job) {
	clear(b) // drop references to items
	b = b[:0]
	jobPool.Put(&b)
}

func getOutcomes(n int) []outcome {
	b := *outcomePool.Get().(*[]outcome)
	if cap(b) < n {
		return make([]outcome, 0, n)
	}
	return b[:0]
}

func putOutcomes(b []outcome) {
	clear(b)
	b = b[:0]
	outcomePool.Put(&b)
}
