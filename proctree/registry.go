package proctree

import (
	"sync"
	"sync/atomic"
)

// registry knows which children of the program are not orphans: the
// commands os/exec waits for, and the watchdog. A sweep must never reap
// them. A child can turn into a zombie as soon as it is forked, before it
// is registered, so forks count themselves in flight from before the fork
// to after the registration, and a sweep reaps an unregistered zombie only
// when it saw no fork in flight after listing the children: a zombie it
// listed was forked before the listing, so it was either registered by
// then or its fork was still counted.
//
// Forks never wait for sweeps, nor sweeps for forks; sweeps wait for each
// other, so that the pid of a zombie one of them lists stays that zombie's
// until it reaps it.
var registry struct {
	inFlight atomic.Int64
	sweeping sync.Mutex
	mu       sync.Mutex // guards own
	own      map[int]bool
}

func init() { registry.own = map[int]bool{} }

// forked registers a child.
func forked(pid int) {
	registry.mu.Lock()
	registry.own[pid] = true
	registry.mu.Unlock()
}

// reaped forgets a child os/exec has reaped.
func reaped(pid int) {
	registry.mu.Lock()
	delete(registry.own, pid)
	registry.mu.Unlock()
}

// owned reports whether pid is a registered child.
func owned(pid int) bool {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.own[pid]
}
