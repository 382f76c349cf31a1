package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// Events are what a submitter hears from the run's workers, for the
// console; nil functions are not called. They are called from one
// goroutine, one at a time.
type Events struct {
	Joined  func(node string, slots int)
	Refused func(node, reason string)
	Retired func(err *runtime.Error)
	// Drain is called when a worker's initializer failed under then:
	// drain: the run should drain with that failure as its cause.
	Drain func(err *runtime.Error)
}

// Submitter is the submitter's side of a distributed run: the runtime's
// Remote. Run may be called from many goroutines at once.
type Submitter struct {
	conn    *Conn
	p       Pipeline
	kv      jetstream.KeyValue
	runs    jetstream.KeyValue
	end     context.CancelCauseFunc // ends the run with a failure a worker reported
	events  Events
	watcher jetstream.KeyWatcher
	watched chan struct{} // closed when the watch loop ended

	mu      sync.Mutex
	waiting map[int]chan runtime.Ran
	joined  int // slots that joined
	retired int // slots whose initializer failed under skip
	stopped sync.Once
	resumed bool // the run was on the server: an item's result may be there already

	stopLoss     func()                    // ends the watch of the connection
	cancelWatch  context.CancelFunc        // ends the watch of the run's bucket
	lost         atomic.Pointer[LostError] // set once the server was out of reach too long: no more requests
	drained      bool                      // Drain was called; under mu
	stopReclaim  context.CancelFunc        // ends reclaim; under mu
	reclaimEnded chan struct{}             // closed when reclaim returned
}

// Submit sets the run up on the server and publishes the pipeline, so
// that workers may join it. end is called with a worker's failure that
// ends the run (an initializer under abort-all, every slot retired).
func Submit(ctx context.Context, conn *Conn, p Pipeline, end context.CancelCauseFunc, ev Events) (*Submitter, error) {
	p.Protocol = Protocol
	s := &Submitter{conn: conn, p: p, end: end, events: ev, waiting: map[int]chan runtime.Ran{}, watched: make(chan struct{})}
	if err := s.openRuns(ctx); err != nil {
		return nil, err
	}
	if err := s.create(ctx); err != nil {
		s.remove(context.WithoutCancel(ctx))
		return nil, err
	}
	go s.watch()
	s.watchLoss()
	meta, _ := json.Marshal(p) // strings, ints and a map of strings
	if _, err := s.runs.Put(ctx, p.Run, meta); err != nil {
		s.Finish(context.WithoutCancel(ctx), true)
		return nil, fmt.Errorf("cluster: cannot publish run %s: %w", p.Run, err)
	}
	return s, nil
}

// Resume takes over a run that is still on the server, left by a
// submitter that died (run --resume with its --run-id): the results its
// workers stored are taken from the run's bucket as their items come,
// and the items still on the queue are run by the workers that serve
// it. The run must have been submitted with the same pipeline (its
// hash). A run that is not on the server is submitted afresh.
func Resume(ctx context.Context, conn *Conn, p Pipeline, end context.CancelCauseFunc, ev Events) (*Submitter, error) {
	runs, err := openRuns(ctx, conn)
	if err != nil {
		return nil, err
	}
	entry, err := runs.Get(ctx, p.Run)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Submit(ctx, conn, p, end, ev)
	} else if err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", RunsBucket, err)
	}
	var was Pipeline
	if err := json.Unmarshal(entry.Value(), &was); err != nil || was.Hash != p.Hash {
		return nil, fmt.Errorf("cluster: run %s on the server is of another pipeline, or of other parameters; give another --run-id", p.Run)
	}
	s := &Submitter{conn: conn, p: was, end: end, events: ev, runs: runs, waiting: map[int]chan runtime.Ran{},
		watched: make(chan struct{}), resumed: true}
	if s.kv, err = conn.JS.KeyValue(ctx, bucketName(p.Run)); err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", bucketName(p.Run), err)
	}
	if s.watcher, err = s.kv.WatchAll(s.watchContext(ctx), jetstream.IgnoreDeletes()); err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", bucketName(p.Run), err)
	}
	go s.watch()
	s.watchLoss()
	return s, nil
}

// stored is the result an item already has in a resumed run's bucket.
func (s *Submitter) stored(ctx context.Context, index int) (runtime.Ran, bool, error) {
	if !s.resumed {
		return runtime.Ran{}, false, nil
	}
	e, err := s.kv.Get(ctx, resultKey(index))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return runtime.Ran{}, false, nil
	} else if err != nil {
		return runtime.Ran{}, false, err
	}
	ran, err := decodeResult(e.Value())
	return ran, err == nil, err
}

// openRuns opens the runs bucket, and checks that the run is new.
func (s *Submitter) openRuns(ctx context.Context) error {
	var err error
	if s.runs, err = openRuns(ctx, s.conn); err != nil {
		return err
	}
	if _, err := s.runs.Get(ctx, s.p.Run); err == nil {
		return fmt.Errorf("cluster: run %s is already on the server; give another --run-id, or --resume to take it over", s.p.Run)
	}
	if _, err := s.conn.JS.Stream(ctx, streamName(s.p.Run)); err == nil {
		return fmt.Errorf("cluster: stream %s is already on the server; give another --run-id", streamName(s.p.Run))
	}
	return nil
}

// openRuns opens the bucket that lists runs, making it when it is not there.
func openRuns(ctx context.Context, conn *Conn) (jetstream.KeyValue, error) {
	kv, err := conn.JS.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: RunsBucket})
	if err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", RunsBucket, err)
	}
	return kv, nil
}

// create makes the run's stream, consumer and bucket.
func (s *Submitter) create(ctx context.Context) error {
	js, run := s.conn.JS, s.p.Run
	var err error
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: streamName(run), Subjects: []string{itemSubject(run)},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage})
	if err != nil {
		return fmt.Errorf("cluster: stream %s: %w", streamName(run), err)
	}
	if _, err := stream.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: consumerName, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: s.p.AckWait, MaxDeliver: -1, MaxAckPending: -1, MaxWaiting: maxWaiting}); err != nil {
		return fmt.Errorf("cluster: consumer of %s: %w", streamName(run), err)
	}
	if s.kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucketName(run)}); err != nil {
		return fmt.Errorf("cluster: bucket %s: %w", bucketName(run), err)
	}
	if _, err := s.kv.PutString(ctx, "state", stateRunning); err != nil {
		return fmt.Errorf("cluster: bucket %s: %w", bucketName(run), err)
	}
	if s.watcher, err = s.kv.WatchAll(s.watchContext(ctx), jetstream.IgnoreDeletes()); err != nil {
		return fmt.Errorf("cluster: bucket %s: %w", bucketName(run), err)
	}
	return nil
}

// Run publishes the item and waits for its result (runtime.Remote).
func (s *Submitter) Run(ctx context.Context, index int, item any) (runtime.Ran, error) {
	data, err := encodeItem(index, item)
	if err != nil {
		return runtime.Ran{}, err
	}
	ch := make(chan runtime.Ran, 1)
	s.mu.Lock()
	s.waiting[index] = ch
	s.mu.Unlock()
	defer s.forget(index)
	if ran, ok, err := s.stored(ctx, index); ok || err != nil { // after the waiter: a result stored now reaches it
		return ran, err
	}
	if _, err := s.conn.JS.Publish(ctx, itemSubject(s.p.Run), data, jetstream.WithMsgID(strconv.Itoa(index))); err != nil {
		if ctx.Err() != nil {
			s.stop(context.WithoutCancel(ctx))
		}
		return runtime.Ran{}, fmt.Errorf("cannot publish item %d: %w", index, err)
	}
	select {
	case ran := <-ch:
		return ran, nil
	case <-ctx.Done():
		s.stop(context.WithoutCancel(ctx)) // the run ended: every worker stops at once
		return runtime.Ran{}, context.Cause(ctx)
	}
}

func (s *Submitter) forget(index int) {
	s.mu.Lock()
	delete(s.waiting, index)
	s.mu.Unlock()
}

// stop tells every worker that the run ended, once.
func (s *Submitter) stop(ctx context.Context) {
	if s.lost.Load() != nil { // nobody to tell, and each request would wait for its timeout
		return
	}
	s.stopped.Do(func() { s.kv.PutString(ctx, "state", stateAborted) })
}

// watchLoss ends the run with a LostError once the server has been out
// of reach for the ack wait: no result can come meanwhile, and the run
// stays on the server for run --resume.
func (s *Submitter) watchLoss() {
	s.stopLoss = s.conn.watchLoss(s.p.AckWait, func(e *LostError) {
		s.lost.Store(e)
		s.end(runErrorf("%w", e))
	})
}

// Drain tells every worker to take no new item and to finish the running
// ones (runtime.Drainer), and takes back from the queue, as not started,
// the items no worker took. It is a no-op after the run was stopped.
func (s *Submitter) Drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drained {
		return
	}
	s.drained = true
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	s.kv.PutString(ctx, "state", stateDraining) // a worker that misses it ends with the run's end
	rctx, stop := context.WithCancel(context.Background())
	s.stopReclaim, s.reclaimEnded = stop, make(chan struct{})
	go s.reclaim(rctx)
}

// reclaim pulls from the run's queue, until ctx ends, the items that no
// worker took before the drain (and those a worker handed back, having
// heard of the drain after it pulled them), and tells each one's Run that
// it did not start. The submitter is then one more puller of the shared
// consumer: the server hands it what is left once the workers stop
// pulling.
func (s *Submitter) reclaim(ctx context.Context) {
	defer close(s.reclaimEnded)
	cons, err := s.conn.JS.Consumer(ctx, streamName(s.p.Run), consumerName)
	if err != nil {
		return
	}
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, reclaimWait)
		msg, err := cons.Next(jetstream.FetchContext(fctx))
		cancel()
		if err != nil {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
				return
			}
			continue
		}
		index, _, err := decodeItem(msg.Data())
		msg.Term() // in either case no one is to run it
		if err == nil {
			s.notStarted(index)
		}
	}
}

// reclaimWait is how long one of reclaim's pulls waits before it asks again.
const reclaimWait = 250 * time.Millisecond

// notStarted tells the item's Run that it did not start, unless its
// result came first.
func (s *Submitter) notStarted(index int) {
	s.mu.Lock()
	ch := s.waiting[index]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- runtime.Ran{Verdict: runtime.VerdictNotStarted}:
		default: // its result is there: that wins
		}
	}
}

// endReclaim stops reclaim, if Drain started it, and waits for it.
func (s *Submitter) endReclaim() {
	s.mu.Lock()
	stop, ended := s.stopReclaim, s.reclaimEnded
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-ended
	}
}

// watch hands each result to the item waiting for it, and hears the
// workers' joins, retirements, refusals and aborts.
func (s *Submitter) watch() {
	defer close(s.watched)
	for e := range s.watcher.Updates() {
		if e != nil {
			s.entry(e.Key(), e.Value())
		}
	}
}

func (s *Submitter) entry(key string, value []byte) {
	kind, rest, _ := strings.Cut(key, ".")
	switch kind {
	case "result":
		s.result(rest, value)
	case "joined":
		n, _ := strconv.Atoi(string(value))
		s.mu.Lock()
		s.joined += n
		s.mu.Unlock()
		if s.events.Joined != nil {
			s.events.Joined(rest, n)
		}
	case "refused":
		if s.events.Refused != nil {
			s.events.Refused(rest, string(value))
		}
	case "retired":
		s.retire(value)
	case "abort":
		if e, ok := failureOf(value); ok {
			s.end(e)
		}
	case "drain":
		if e, ok := failureOf(value); ok && s.events.Drain != nil {
			s.events.Drain(e)
		}
	}
}

func (s *Submitter) result(index string, value []byte) {
	i, err := strconv.Atoi(index)
	if err != nil {
		return
	}
	ran, err := decodeResult(value)
	if err != nil {
		s.end(runErrorf("item %d: %w", i, err))
		return
	}
	s.mu.Lock()
	ch := s.waiting[i]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- ran: // buffered, and each index has one result
		default: // reclaim said first that it did not start
		}
	}
}

// retire counts a slot whose initializer failed under skip; when every
// slot that joined retired, nobody is left to take items.
func (s *Submitter) retire(value []byte) {
	e, ok := failureOf(value)
	if !ok {
		return
	}
	s.mu.Lock()
	s.retired++
	last := s.retired >= s.joined
	s.mu.Unlock()
	if last {
		s.end(runtime.NoWorker(e))
		return
	}
	if s.events.Retired != nil {
		s.events.Retired(e)
	}
}

func failureOf(value []byte) (*runtime.Error, bool) {
	var v dsl.ErrorValue
	if json.Unmarshal(value, &v) != nil {
		return nil, false
	}
	return runtime.ErrorFrom(v), true
}

// runErrorf is a failure of the cluster itself, as the run's cause.
func runErrorf(format string, args ...any) *runtime.Error {
	return &runtime.Error{Kind: runtime.KindCluster, Subject: runtime.Subject{Stage: "map", Index: -1, Worker: -1},
		Cause: fmt.Errorf(format, args...)}
}

// Finish ends the run on the server: the state key says how it ended,
// the run leaves the runs bucket, and its stream and bucket are deleted.
func (s *Submitter) Finish(ctx context.Context, aborted bool) error {
	state := stateDone
	if aborted {
		state = stateAborted
	}
	s.endReclaim()
	if s.stopLoss != nil {
		s.stopLoss()
	}
	if lost := s.lost.Load(); lost != nil {
		// Stopping the watch asks the server, and would wait for the
		// request's timeout: its context ends it here.
		if s.cancelWatch != nil {
			s.cancelWatch()
		}
		return fmt.Errorf("cluster: run %s is left on the server: %w", s.p.Run, lost)
	}
	var errs []error
	if _, err := s.kv.PutString(ctx, "state", state); err != nil {
		errs = append(errs, err)
	}
	if err := s.runs.Delete(ctx, s.p.Run); err != nil {
		errs = append(errs, err)
	}
	s.stopWatch()
	errs = append(errs, s.remove(ctx))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cluster: run %s not cleaned up: %w", s.p.Run, err)
	}
	return nil
}

// watchContext is the context of the watch of the run's bucket: it
// outlives ctx, and ends with the watch (or when the server is lost).
func (s *Submitter) watchContext(ctx context.Context) context.Context {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancelWatch = cancel
	return wctx
}

// stopWatch ends the watch of the run's bucket and waits for its loop.
func (s *Submitter) stopWatch() {
	if s.watcher != nil {
		s.watcher.Stop()
		<-s.watched
	}
	if s.cancelWatch != nil {
		s.cancelWatch()
	}
}

// remove deletes the run's stream and bucket.
func (s *Submitter) remove(ctx context.Context) error {
	var errs []error
	if err := s.conn.JS.DeleteStream(ctx, streamName(s.p.Run)); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		errs = append(errs, err)
	}
	if err := s.conn.JS.DeleteKeyValue(ctx, bucketName(s.p.Run)); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
