package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// SyncEvery bounds what a crash of the machine can lose: the journal is
// written to the file before its items are delivered, so a killed
// poolflow loses nothing it delivered, and synced to the disk at most this
// long after.
const SyncEvery = 100 * time.Millisecond

// Resume says whether a run reuses the journal of the run before it.
type Resume int

// Resume modes.
const (
	NoResume    Resume = iota // run everything
	ResumeSame                // reuse the last journal when the pipeline's version is the same
	ResumeForce               // reuse it even when the version differs
)

// Recorder keeps a run's journal and answers Reuse from the run before
// it. It implements runtime.Journal and is safe for concurrent use.
type Recorder struct {
	store   *Store
	lock    *Lock
	id      string
	mu      sync.Mutex
	f       *os.File
	buf     []byte
	synced  time.Time
	origin  time.Time // the run's start, which the items' times count from
	totals  Totals
	prev    *index // nil when nothing is reused
	Resumed string // what the resume found, for the user: "reusing run ID", "no journal...", ""
}

// Start begins the journal of a run of plan in store, taking its lock,
// and with ResumeSame or ResumeForce loads the journal of the last run.
func Start(store *Store, plan *dsl.Plan, mode Resume, now time.Time) (*Recorder, error) {
	lock, err := store.Acquire()
	if err != nil {
		return nil, err
	}
	rec := &Recorder{store: store, lock: lock, id: NewID(now), synced: now, origin: now}
	if err := rec.open(plan, mode, now); err != nil {
		lock.Release()
		return nil, err
	}
	return rec, nil
}

func (r *Recorder) open(plan *dsl.Plan, mode Resume, now time.Time) error {
	ids, err := r.store.Runs()
	if err != nil {
		return err
	}
	var from string
	if mode != NoResume {
		r.prev, from, r.Resumed, err = r.previous(ids, plan, mode)
		if err != nil {
			return err
		}
	}
	if err := r.store.Prune(); err != nil {
		return err
	}
	r.f, err = os.OpenFile(r.store.Path(r.id), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o666)
	if err != nil {
		return err
	}
	h := header{Journal: 1, ID: r.id, Pipeline: plan.Name, File: plan.File, Version: plan.Version(), Started: now, PID: os.Getpid(), Resumed: from}
	return r.writeLine(h)
}

// previous indexes the last journal, and those it resumed from, when they
// may be reused; it says which run it resumes and what it found.
func (r *Recorder) previous(ids []string, plan *dsl.Plan, mode Resume) (idx *index, from, said string, err error) {
	if len(ids) == 0 {
		return nil, "", "no journal of an earlier run: running every item", nil
	}
	last := ids[len(ids)-1]
	h, err := readHeader(r.store.Path(last))
	if err != nil {
		return nil, "", "", err
	}
	if h.Version != plan.Version() && mode != ResumeForce {
		return nil, "", fmt.Sprintf("the journal of run %s is of another version of the pipeline (its map stage, initializer or parameters changed): running every item; --resume=force reuses it anyway", last), nil
	}
	idx, err = r.store.chain(last, h.Version, mode == ResumeForce)
	if err != nil {
		return nil, "", "", err
	}
	return idx, last, fmt.Sprintf("resuming run %s: %d items it finished may be reused", last, idx.len()), nil
}

// ID is the run's id in the store.
func (r *Recorder) ID() string { return r.id }

// Reuse answers from the run before, when resuming.
func (r *Recorder) Reuse(key []byte) (runtime.Reusable, bool) {
	if r.prev == nil {
		return runtime.Reusable{}, false
	}
	return r.prev.reuse(key)
}

// Record appends the items' lines, in one write, and syncs the file when
// SyncEvery has passed since it last did. An item whose result cannot be
// kept (a NaN, a value of a type the encoding does not know) is recorded
// without it, as not to be reused: a later --resume runs it again.
func (r *Recorder) Record(items []runtime.Finished) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = r.buf[:0]
	for i := range items {
		line, err := encodeRecord(r.buf, &items[i], r.origin)
		if err != nil {
			line, err = encodeRecord(r.buf, unkept(items[i]), r.origin)
		}
		if err != nil {
			return fmt.Errorf("item %d: %w", items[i].Index, err)
		}
		r.buf = line
		r.count(&items[i])
	}
	if _, err := r.f.Write(r.buf); err != nil {
		return err
	}
	if now := time.Now(); now.Sub(r.synced) >= SyncEvery {
		r.synced = now
		return r.f.Sync()
	}
	return nil
}

func (r *Recorder) count(it *runtime.Finished) {
	switch it.Status {
	case runtime.StatusOK:
		r.totals.OK++
	case runtime.StatusSkipped:
		r.totals.Skipped++
	case runtime.StatusFailed:
		r.totals.Failed++
	case runtime.StatusCancelled:
		r.totals.Cancelled++
	}
	if it.Reused {
		r.totals.Reused++
	}
}

// Finish writes the trailer, syncs and closes the journal and releases
// the lock.
func (r *Recorder) Finish(outcome string, exitStatus, notStarted int, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.totals.NotStarted = notStarted
	err := r.writeLine(trailer{End: true, Ended: now, Outcome: outcome, ExitStatus: exitStatus, Totals: r.totals})
	err = errors.Join(err, r.f.Sync(), r.f.Close())
	if r.prev != nil {
		err = errors.Join(err, r.prev.close())
	}
	return errors.Join(err, r.lock.Release())
}

func (r *Recorder) writeLine(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = r.f.Write(append(b, '\n'))
	return err
}

// appendMS appends d in milliseconds, to the microsecond.
func appendMS(b []byte, d time.Duration) []byte {
	return strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
}

// unkept is an item whose result cannot be kept, as a journal records it:
// with status unkept, which no resume reuses.
func unkept(it runtime.Finished) *runtime.Finished {
	it.Status, it.Has, it.Result = statusUnkept, false, nil
	return &it
}

// statusUnkept marks a line whose result could not be kept.
const statusUnkept runtime.Status = "unkept"

// encodeRecord appends an item's line to b, its times counted from
// origin: the JSON of record, written
// by hand in its fields' order (json.Marshal would cost most of the
// journal's time per item), which lets readIndexLine find the key and the
// status without decoding the line.
func encodeRecord(b []byte, it *runtime.Finished, origin time.Time) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"i":`...), int64(it.Index), 10)
	b = appendKeyHash(append(b, `,"k":"`...), it.Key)
	b = appendString(append(b, `",`+`"s":`...), string(it.Status))
	b = strconv.AppendInt(append(b, `,"a":`...), int64(it.Attempts), 10)
	b = strconv.AppendInt(append(b, `,"w":`...), int64(it.Worker), 10)
	b = appendString(append(b, `,"x":`...), runtime.ItemText(it.Item))
	if !it.Started.IsZero() && !it.Reused {
		b = appendMS(append(b, `,"ms":[`...), it.Started.Sub(origin))
		b = append(appendMS(append(b, ','), it.Duration), ']')
	}
	for _, flag := range []struct {
		name string
		set  bool
	}{{"h", it.Has}, {"f", it.Fallback}, {"u", it.Reused}} {
		if flag.set {
			b = append(append(append(b, `,"`...), flag.name...), `":true`...)
		}
	}
	var err error
	switch {
	case it.Has && len(it.Encoded) > 0:
		b = append(append(b, `,"r":`...), it.Encoded...) // reused: as the journal it came from has it
	case it.Has:
		if b, err = encodeValue(append(b, `,"r":`...), it.Result); err != nil {
			return nil, err
		}
	}
	if it.Err != nil {
		e := errorToJournal(it.Err.Value())
		if b, err = appendError(append(b, `,"e":`...), &e); err != nil {
			return nil, err
		}
	}
	for i, d := range it.Deps {
		if i == 0 {
			b = append(b, `,"d":[`...)
		} else {
			b = append(b, ',')
		}
		b = appendString(append(b, `{"p":`...), d.Path)
		b = strconv.AppendInt(append(b, `,"n":`...), d.Size, 10)
		var mod int64 // 0 for a file that was absent (size -1)
		if d.Size >= 0 {
			mod = d.ModTime.UnixNano()
		}
		b = append(strconv.AppendInt(append(b, `,"t":`...), mod, 10), '}')
	}
	if len(it.Deps) > 0 {
		b = append(b, ']')
	}
	return append(b, "}\n"...), nil
}
