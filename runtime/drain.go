package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// A drain stops a run from taking new items and lets the running ones
// finish (spec.md §6.10): their attempts, retries included, run to their
// end, and what they give is delivered to the callbacks, the journal and
// the report as in any run. The run then fails with the drain's cause,
// without callbacks.done and, unless output.on_drain says write, without
// its output. A cancellation (abort-all, the run's timeout, a signal)
// during a drain ends it at once, as it ends any run.
//
// Invariants: noMore is closed exactly once, when the drain begins or the
// run's context ends, whichever comes first; drainCause and drainedAt are
// written once, before a drain closes it, and read and written under
// drainMu only.
type drainState struct {
	noMore     chan struct{} // closed: take no new item
	closeOnce  sync.Once
	drainMu    sync.Mutex
	drainCause *Error      // what started the drain; nil when the run did not drain
	drainedAt  time.Time   // when it began
	stopNoMore func() bool // stops closing noMore when the context ends
}

// initDrain makes the channel that stops the feeder and the workers, and
// closes it when the run's context ends, as a drain does.
func (r *run) initDrain() {
	r.noMore = make(chan struct{})
	r.stopNoMore = context.AfterFunc(r.ctx, r.closeNoMore)
}

func (r *run) closeNoMore() { r.closeOnce.Do(func() { close(r.noMore) }) }

// drain starts a drain with err as its cause, unless the run is already
// draining or has ended: the first cause wins, as with abort.
func (r *run) drain(err *Error) {
	if !r.beginDrain(err) {
		return
	}
	if d, ok := r.eng.Remote.(Drainer); ok { // outside the lock: it asks the server
		d.Drain()
	}
}

// beginDrain records the drain's cause and stops the run taking items;
// it reports whether this call began the drain.
func (r *run) beginDrain(err *Error) bool {
	r.drainMu.Lock()
	defer r.drainMu.Unlock()
	if r.drainCause != nil || r.ended() {
		return false
	}
	r.drainCause, r.drainedAt = err, time.Now()
	r.closeNoMore()
	if obs, ok := r.eng.Observer.(DrainObserver); ok {
		obs.Draining(err)
	}
	return true
}

// draining reports whether a drain has begun.
func (r *run) draining() bool {
	r.drainMu.Lock()
	defer r.drainMu.Unlock()
	return r.drainCause != nil
}

// stopping reports whether the run takes no new item: it is draining or
// has ended. The context is asked too, since noMore is closed by a
// goroutine the context's end starts, a moment later. Non-blocking
// receives, as ended.
func (r *run) stopping() bool {
	select {
	case <-r.noMore:
		return true
	case <-r.done:
		return true
	default:
		return false
	}
}

// drainErr is what Run returns for a run that drained and was not
// cancelled after: ErrDrained wrapping the drain's cause.
func (r *run) drainErr() error {
	return fmt.Errorf("%w: %w", ErrDrained, r.drainCause)
}

// ErrDrained is matched (errors.Is) by the error Run returns when the run
// drained; it also matches ErrAborted, since the run did not finish.
var ErrDrained = fmt.Errorf("%w: drained", ErrAborted)

// DrainObserver is an Observer that also hears when a run begins to
// drain, with the failure (or interruption) that made it drain.
type DrainObserver interface {
	Draining(cause *Error)
}

// drainKey is the context key of a caller's drain request.
type drainKey struct{}

// drainRequest is a caller's way to drain a run: WithDrain makes one, Run
// watches it.
type drainRequest struct {
	once  sync.Once
	ch    chan struct{}
	cause error
}

// WithDrain returns a context that carries a drain request, and the
// function that makes it: a Run under that context drains (instead of
// being cancelled) when drain is called, with cause as the reason (wrap
// ErrInterrupted for a signal). Calling drain again does nothing; cancel
// the context to stop the run at once.
//
// Under a context that carries a drain request already, the same request
// is used: the first of the two functions called gives the cause.
func WithDrain(parent context.Context) (ctx context.Context, drain func(cause error)) {
	req, ok := parent.Value(drainKey{}).(*drainRequest)
	if ok {
		ctx = parent
	} else {
		req = &drainRequest{ch: make(chan struct{})}
		ctx = context.WithValue(parent, drainKey{}, req)
	}
	drain = func(cause error) {
		req.once.Do(func() { req.cause = cause; close(req.ch) })
	}
	return ctx, drain
}

// watchDrainRequest drains the run when the caller asks for it, until the
// run ends; the returned function stops the watch and waits for it.
func (r *run) watchDrainRequest(ctx context.Context) (stop func()) {
	req, _ := ctx.Value(drainKey{}).(*drainRequest)
	if req == nil {
		return func() {}
	}
	end := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-req.ch:
			var e *Error
			if !errors.As(req.cause, &e) { // a failure elsewhere (a remote initializer) is its own cause
				e = r.externalCause(req.cause)
			}
			r.drain(e)
		case <-end:
		case <-r.done:
		}
	}()
	return func() { close(end); wg.Wait() }
}

// drainedSummary marks a summary of a run that drained.
func (r *run) drainedSummary(sum *Summary) {
	r.drainMu.Lock()
	defer r.drainMu.Unlock()
	if r.drainCause != nil {
		sum.Drained, sum.DrainedAt = true, r.drainedAt
	}
}

// isDrained reports whether the run drained, and was not cancelled since.
func (r *run) isDrained() bool { return r.ctx.Err() == nil && r.draining() }
