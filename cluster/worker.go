package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// opTimeout bounds one request to the server: storing a result, an ack.
const opTimeout = 5 * time.Second

// fetchWait is how long one pull for an item waits before it asks again.
const fetchWait = 2 * time.Second

// ErrRunEnded is the cause a worker's slots stop with when the run's
// state says it ended (the submitter's abort-all, timeout, interrupt, or
// its end).
var ErrRunEnded = errors.New("the run ended")

// ErrRefused is matched by the error of a worker that cannot run a
// pipeline (RefusedError).
var ErrRefused = errors.New("refused")

// RefusedError says why a worker took no item of a run.
type RefusedError struct {
	Run    string
	Reason string
}

func (e *RefusedError) Error() string { return "run " + e.Run + ": refused: " + e.Reason }

// Is makes errors.Is(err, ErrRefused) work.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// Worker joins runs and runs their items. Its fields are set before
// Serve and not changed after.
//
// oneRun: a worker of one run (Run set) leaves its watches open when it
// returns, to be released when Conn closes, which its caller does next:
// stopping one asks the server, which may be gone with the run (an
// embedded server ends with its submitter), and would wait for the
// request's timeout.
type Worker struct {
	Conn  *Conn
	Slots int    // worker slots, each with its own initializer
	Run   string // join only this run, and return once it ended; "" joins every run, one at a time
	Node  string // this worker's name in the run; "" names it by host and pid
	// Log receives the lines log() writes; nil drops them.
	Log func(line string)
	// Say receives what the worker tells its user: the runs it joins,
	// leaves or refuses.
	Say func(line string)
	// LookPath finds programs; nil uses exec.LookPath.
	LookPath func(string) (string, error)
	// LookupEnv reads secrets; nil uses os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Serve joins the runs it finds until ctx ends, or, with Run set, until
// that run ended (or is found ended: its key in the runs bucket deleted). It returns a *RefusedError when Run is set and this
// worker cannot run it.
func (w *Worker) Serve(ctx context.Context) error {
	if w.Node == "" {
		w.Node = nodeName("")
	}
	runs, err := openRuns(ctx, w.Conn)
	if err != nil {
		return err
	}
	watcher, err := runs.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("cluster: bucket %s: %w", RunsBucket, err)
	}
	if w.Run == "" {
		defer watcher.Stop()
	} // else see oneRun
	seen := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-watcher.Updates():
			if !ok {
				return ctx.Err()
			}
			if e == nil || seen[e.Key()] || (w.Run != "" && e.Key() != w.Run) {
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				if w.Run != "" { // it ended, maybe before this worker came
					w.say("run " + w.Run + " ended")
					return nil
				}
				continue
			}
			seen[e.Key()] = true
			err := w.join(ctx, e.Value())
			if w.Run != "" {
				return err
			}
			if err != nil {
				w.say(err.Error())
			}
		}
	}
}

func (w *Worker) say(line string) {
	if w.Say != nil {
		w.Say(line)
	}
}

// join runs one run's items until it ends, unless this worker cannot run
// its pipeline.
func (w *Worker) join(ctx context.Context, meta []byte) error {
	var p Pipeline
	if err := json.Unmarshal(meta, &p); err != nil {
		return fmt.Errorf("cluster: a run that cannot be read: %w", err)
	}
	kv, err := w.Conn.JS.KeyValue(ctx, bucketName(p.Run))
	if err != nil {
		return nil // it ended before this worker came to it
	}
	plan, reason := w.compile(p)
	if reason != "" {
		kv.PutString(ctx, "refused."+w.Node, reason)
		return &RefusedError{Run: p.Run, Reason: reason}
	}
	cons, err := w.Conn.JS.Consumer(ctx, streamName(p.Run), consumerName)
	if err != nil {
		return nil // ended
	}
	w.say(fmt.Sprintf("joined run %s (%s) with %d slots", p.Run, p.File, w.Slots))
	j := &joined{w: w, p: p, kv: kv, cons: cons, draining: make(chan struct{})}
	j.serve(ctx, plan)
	j.lostMu.Lock()
	lost := j.lost
	j.lostMu.Unlock()
	if lost != nil {
		w.say("left run " + p.Run + ": " + lost.Error())
		return fmt.Errorf("run %s: %w", p.Run, lost)
	}
	w.say("left run " + p.Run)
	return nil
}

// compile makes the run's plan, or says why this worker cannot run it.
func (w *Worker) compile(p Pipeline) (*dsl.Plan, string) {
	if p.Protocol != Protocol {
		return nil, fmt.Sprintf("the submitter speaks protocol %d, this worker %d: use the same poolflow version", p.Protocol, Protocol)
	}
	if Hash([]byte(p.Source), p.Params) != p.Hash {
		return nil, "the pipeline does not match its hash"
	}
	plan, diags := dsl.Load(p.File, []byte(p.Source), dsl.Options{Functions: builtins.Options(), Params: p.Params,
		Workdir: p.Dir, Workers: w.Slots, LookPath: w.LookPath, LookupEnv: w.LookupEnv})
	if plan == nil {
		return nil, "the pipeline does not compile here: " + firstError(diags)
	}
	if missing := MissingPrograms(plan, w.LookPath); len(missing) > 0 {
		return nil, refusal(missing)
	}
	if missing := plan.MissingSecrets(); len(missing) > 0 {
		return nil, fmt.Sprintf("secret %s: environment variable %s is not set", missing[0].Name, missing[0].Env)
	}
	return plan, ""
}

func firstError(diags dsl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity != dsl.SeverityWarning {
			return d.Pos.String() + ": " + d.Message
		}
	}
	return "no plan"
}

// joined is a worker in one run.
type joined struct {
	w    *Worker
	p    Pipeline
	kv   jetstream.KeyValue
	cons jetstream.Consumer
	host *runtime.Host

	draining  chan struct{} // closed once the state key says draining
	drainOnce sync.Once

	lostMu sync.Mutex
	lost   *LostError // set when the server was out of reach too long
}

// drain stops the slots taking new items; the running ones finish.
func (j *joined) drain() { j.drainOnce.Do(func() { close(j.draining) }) }

func (j *joined) isDraining() bool {
	select {
	case <-j.draining:
		return true
	default:
		return false
	}
}

// serve starts the slots and waits for them; the run's state key, once it
// says the run ended, stops them and kills what they run.
func (j *joined) serve(ctx context.Context, plan *dsl.Plan) {
	j.host = (&runtime.Engine{Log: j.w.Log}).NewHost(ctx, plan)
	defer j.host.Close()
	stopLoss := j.w.Conn.watchLoss(j.p.AckWait, func(e *LostError) {
		j.lostMu.Lock()
		j.lost = e
		j.lostMu.Unlock()
		j.host.Abort(e) // its items are handed to others by now: kill what runs
	})
	defer stopLoss()
	stopWatch := j.watchState(ctx)
	defer stopWatch()
	j.kv.PutString(ctx, "joined."+j.w.Node, strconv.Itoa(j.w.Slots))
	var wg sync.WaitGroup
	for id := range j.w.Slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.slot(id)
		}()
	}
	wg.Wait()
}

// watchState aborts the host once the state key says the run ended, and
// drains it when the key says draining.
func (j *joined) watchState(ctx context.Context) func() {
	watcher, err := j.kv.Watch(ctx, "state")
	if err != nil {
		j.host.Abort(ErrRunEnded)
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range watcher.Updates() {
			switch {
			case e == nil || string(e.Value()) == stateRunning:
			case string(e.Value()) == stateDraining:
				j.drain()
			default:
				j.host.Abort(ErrRunEnded)
			}
		}
	}()
	if j.w.Run != "" {
		return func() {} // see oneRun
	}
	return func() { watcher.Stop(); <-done }
}

// slot is one worker slot: its initializer, then items until the run ends.
func (j *joined) slot(id int) {
	s, verdict, err := j.host.Slot(id)
	switch verdict {
	case runtime.VerdictSkip:
		j.put("retired."+j.w.Node+"."+strconv.Itoa(id), err)
		return
	case runtime.VerdictAbort:
		j.abort(err)
		return
	case runtime.VerdictDrain: // this slot takes no item, and the run drains
		j.create("drain", err)
		return
	case runtime.VerdictCancelled:
		return
	}
	for !j.isDraining() {
		msg, ok := j.next()
		if !ok {
			return
		}
		if j.isDraining() { // pulled as the drain began: the submitter takes it back
			msg.Nak()
			return
		}
		j.item(s, msg)
	}
}

// next pulls the next work message; ok is false once the run ended.
func (j *joined) next() (jetstream.Msg, bool) {
	ctx := j.host.Context()
	for {
		fctx, cancel := context.WithTimeout(ctx, fetchWait)
		msg, err := j.cons.Next(jetstream.FetchContext(fctx))
		cancel()
		switch {
		case err == nil:
			return msg, true
		case ctx.Err() != nil:
			return nil, false
		case errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
			return nil, false // the run was removed
		case j.isDraining():
			return nil, false
		}
	}
}

// item runs one work message's item, stores its result, then acks it.
func (j *joined) item(s *runtime.Slot, msg jetstream.Msg) {
	index, item, err := decodeItem(msg.Data())
	if err != nil {
		j.abort(runErrorf("%w", err))
		msg.Term()
		return
	}
	runs := 1
	if md, err := msg.Metadata(); err == nil {
		runs = int(md.NumDelivered)
	}
	stop := heartbeat(msg, j.p.AckWait)
	ran := s.Run(index, item)
	stop()
	if ran.Verdict == runtime.VerdictCancelled {
		msg.Nak() // the run ended, or this worker stops: another may take it
		return
	}
	data, err := encodeResult(ran, j.w.Node, runs)
	if err != nil {
		j.abort(runErrorf("item %d: %w", index, err))
		return
	}
	// Every request under the host's context: once the run ended (every
	// result in, or aborted) its stream and bucket may be gone, and no
	// answer would come; the state key ends the host first.
	ctx, cancel := j.requestContext()
	defer cancel()
	_, err = j.kv.Create(ctx, resultKey(index), data)
	switch {
	case errors.Is(err, nats.ErrMaxPayload): // it would not fit however often it ran
		j.abort(runErrorf("item %d: its result of %d bytes does not fit the server's max_payload of %d", index, len(data), j.w.Conn.NC.MaxPayload()))
		msg.Term()
		return
	case err != nil && !errors.Is(err, jetstream.ErrKeyExists):
		msg.Nak() // not stored: it runs again
		return
	} // ErrKeyExists: a first result is stored, this one is dropped
	if ran.Verdict == runtime.VerdictAbort {
		j.stopAll() // before the ack: every worker stops at once
	}
	msg.DoubleAck(ctx)
}

// requestContext bounds one request to the server by opTimeout and by
// the host's end.
func (j *joined) requestContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(j.host.Context(), opTimeout)
}

// heartbeat keeps msg leased while its item runs: InProgress every third
// of the ack wait. The returned function stops it.
func heartbeat(msg jetstream.Msg, ackWait time.Duration) func() {
	if ackWait <= 0 {
		ackWait = DefaultAckWait
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				msg.InProgress()
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// abort ends the run with a failure outside any item's result: an
// initializer under abort-all. The first one is kept.
func (j *joined) abort(err *runtime.Error) {
	j.create("abort", err)
	j.stopAll()
}

// create stores err under key unless a first one is there.
func (j *joined) create(key string, err *runtime.Error) {
	ctx, cancel := j.requestContext()
	defer cancel()
	j.kv.Create(ctx, key, valueOf(err))
}

// stopAll tells every worker, this one too, to stop at once.
func (j *joined) stopAll() {
	ctx, cancel := j.requestContext()
	defer cancel()
	j.kv.PutString(ctx, "state", stateAborted)
	j.host.Abort(ErrRunEnded)
}

func (j *joined) put(key string, err *runtime.Error) {
	ctx, cancel := j.requestContext()
	defer cancel()
	j.kv.Put(ctx, key, valueOf(err))
}

func valueOf(err *runtime.Error) []byte {
	b, _ := json.Marshal(err.Value()) // plain data
	return b
}
