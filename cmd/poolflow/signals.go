package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/poolflow/poolflow/runtime"
)

// signalWatch cancels a run on the first SIGINT or SIGTERM and exits at
// once on the second.
type signalWatch struct {
	ch   chan os.Signal
	done chan struct{}
	mu   sync.Mutex
	sig  os.Signal
}

func withSignals(parent context.Context) (context.Context, *signalWatch) {
	ctx, cancel := context.WithCancelCause(parent)
	w := &signalWatch{ch: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(w.ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case s := <-w.ch:
			w.mu.Lock()
			w.sig = s
			w.mu.Unlock()
			cancel(fmt.Errorf("%w by %s", runtime.ErrInterrupted, signalName(s)))
		case <-w.done:
			cancel(nil)
			return
		}
		select {
		case s := <-w.ch:
			os.Exit(signalExitCode(s))
		case <-w.done:
		}
	}()
	return ctx, w
}

// stop stops watching; the run is over.
func (w *signalWatch) stop() {
	signal.Stop(w.ch)
	close(w.done)
}

// received is the signal that cancelled the run, or nil.
func (w *signalWatch) received() os.Signal {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sig
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

func signalExitCode(s os.Signal) int {
	if s == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}
