package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/poolflow/poolflow/runtime"
	"golang.org/x/sys/unix"
)

// interruptions are the signals that cancel a run as abort-all does
// (spec.md §6.6). SIGPIPE counts only when standard output or standard
// error is a broken pipe: with SIGPIPE notified, Go delivers it for a
// write to any broken pipe or socket, and a builtin's own connection is
// not the run's business.
var interruptions = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE}

// ignoredAtStart are the interruptions this program was started with
// ignored, read before anything here changes them.
var ignoredAtStart = func() map[os.Signal]bool {
	m := map[os.Signal]bool{}
	for _, s := range interruptions {
		m[s] = signal.Ignored(s)
	}
	return m
}()

// signalWatch cancels a run on the first interruption and exits at once on
// a second one, SIGPIPE aside: the summary's write to a broken standard
// error raises it again, and must not stop the report.
type signalWatch struct {
	ch   chan os.Signal
	done chan struct{}
	mu   sync.Mutex
	sig  os.Signal
}

// withSignals starts watching. A signal this program was started with
// ignored stays ignored (nohup, or `&` in a script, ignore SIGHUP or
// SIGINT on purpose).
//
// With drainOnInterrupt (on_interrupt: drain), the first SIGINT drains the
// run instead (runtime.WithDrain), and the next interruption cancels it.
func withSignals(parent context.Context, drainOnInterrupt bool) (context.Context, *signalWatch) {
	ctx, cancel := context.WithCancelCause(parent)
	var drain func(error)
	if drainOnInterrupt {
		ctx, drain = runtime.WithDrain(ctx)
	}
	w := &signalWatch{ch: make(chan os.Signal, 4), done: make(chan struct{})}
	for _, s := range interruptions {
		if !ignoredAtStart[s] {
			signal.Notify(w.ch, s)
		}
	}
	go w.watch(cancel, drain)
	return ctx, w
}

func (w *signalWatch) watch(cancel context.CancelCauseFunc, drain func(error)) {
	s := w.first()
	if s == nil {
		cancel(nil)
		return
	}
	w.note(s)
	if drain != nil && s == syscall.SIGINT {
		drain(interruptedBy(s))
		if s = w.first(); s == nil {
			cancel(nil)
			return
		}
		w.note(s)
	}
	cancel(interruptedBy(s))
	for {
		select {
		case s := <-w.ch:
			if s != syscall.SIGPIPE {
				os.Exit(signalExitCode(s))
			}
		case <-w.done:
			return
		}
	}
}

// note keeps the signal that stopped the run, for its exit status.
func (w *signalWatch) note(s os.Signal) {
	w.mu.Lock()
	w.sig = s
	w.mu.Unlock()
}

// interruptedBy is the cause of a run stopped by signal s.
func interruptedBy(s os.Signal) error {
	return fmt.Errorf("%w by %s", runtime.ErrInterrupted, signalName(s))
}

// first waits for the next interruption; nil when the run ended first.
func (w *signalWatch) first() os.Signal {
	for {
		select {
		case s := <-w.ch:
			if s != syscall.SIGPIPE || stdioBroken() {
				return s
			}
		case <-w.done:
			return nil
		}
	}
}

// stop stops watching; the run is over. SIGPIPE stays ignored, so that a
// last message to a broken standard error fails quietly instead of
// killing the process before it exits with its status.
func (w *signalWatch) stop() {
	signal.Stop(w.ch)
	signal.Ignore(syscall.SIGPIPE)
	close(w.done)
}

// received is the signal that cancelled the run, or nil. A run whose
// output to a broken standard output failed with EPIPE counts as ended by
// SIGPIPE, whether or not the signal has reached the watch yet.
func (w *signalWatch) received(runErr error) os.Signal {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sig == nil && errors.Is(runErr, syscall.EPIPE) && stdioBroken() {
		return syscall.SIGPIPE
	}
	return w.sig
}

// stdioBroken reports whether standard output or standard error is a pipe
// or socket whose reader is gone: poll says POLLERR or POLLHUP.
func stdioBroken() bool {
	fds := []unix.PollFd{{Fd: 1, Events: unix.POLLOUT}, {Fd: 2, Events: unix.POLLOUT}}
	if _, err := unix.Poll(fds, 0); err != nil {
		return false
	}
	for _, fd := range fds {
		if fd.Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return true
		}
	}
	return false
}

// signalName is SIGHUP, SIGINT, ...
func signalName(s os.Signal) string {
	if sig, ok := s.(syscall.Signal); ok {
		if name := unix.SignalName(sig); name != "" {
			return name
		}
	}
	return s.String()
}

// signalExitCode is 128+N, as shells report a process that signal N ended.
func signalExitCode(s os.Signal) int {
	if sig, ok := s.(syscall.Signal); ok {
		return 128 + int(sig)
	}
	return exitFailed
}
