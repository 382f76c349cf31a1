package runtime

import "sync/atomic"

// window is a counting semaphore over the items in flight: an item takes a
// place before it is read from the source and gives it back once it has
// been delivered and its callback has run. It is an atomic counter with a
// one-slot wake-up channel rather than a channel of tokens, so that taking
// and giving back places costs no channel operation on the common path.
type window struct {
	size     int64
	inflight atomic.Int64
	space    chan struct{} // signalled after a release, to wake a waiting acquire
}

func newWindow(size int) *window {
	return &window{size: int64(size), space: make(chan struct{}, 1)}
}

// tryAcquire takes a place if one is free.
func (w *window) tryAcquire() bool {
	if w.inflight.Add(1) <= w.size {
		return true
	}
	w.inflight.Add(-1)
	return false
}

// acquire takes a place, waiting for one unless done closes first. No
// wake-up is lost: release always leaves a signal in space (it has room
// for one), so a waiter that missed the release finds the signal.
func (w *window) acquire(done <-chan struct{}) bool {
	for !w.tryAcquire() {
		select {
		case <-w.space:
		case <-done:
			return false
		}
	}
	return true
}

// release gives back n places.
func (w *window) release(n int) {
	if n == 0 {
		return
	}
	w.inflight.Add(-int64(n))
	select {
	case w.space <- struct{}{}:
	default:
	}
}
