package proctree

import "sync"

// registry knows which children of the program are not orphans: the
// commands os/exec waits for, and the watchdog. A sweep must never reap
// them, and a child can turn into a zombie as soon as it is forked, so a
// pid is registered before any sweep can see it: starts hold the read side
// of the lock from fork to registration, a sweep holds the write side.
var registry = struct {
	sync.RWMutex
	mu  sync.Mutex // guards own, which starts write concurrently
	own map[int]bool
}{own: map[int]bool{}}

// forked registers a child; the caller holds registry's read lock.
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
