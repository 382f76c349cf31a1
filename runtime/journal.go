package runtime

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
)

// Journal keeps what a run finished, so that a later run can reuse it
// (run --resume; package journal is the one poolflow uses). The workers
// call Reuse and the collector calls Record, from their own goroutines:
// an implementation must be safe for that.
type Journal interface {
	// Reuse returns what an earlier run made of the item with this key:
	// ok when that run finished it for good (ok, or skipped) and every file
	// it depended on is as it was then.
	Reuse(key []byte) (Reusable, bool)
	// Record keeps items that finished, before any of them is delivered.
	Record(items []Finished) error
}

// Finished is an item that finished, as a journal keeps it.
type Finished struct {
	Key      []byte
	Index    int
	Item     any
	Worker   int           // the worker that ran it, or reused it
	Started  time.Time     // when it started; zero for a reused item
	Duration time.Duration // from its start to its end
	Status   Status
	Attempts int
	Result   any
	Has      bool // Result is set: ok, or skipped with its fallback
	Fallback bool
	Err      *Error
	Deps     []Dep
	Reused   bool   // it came from an earlier run's journal
	Encoded  []byte // with Reused: Reusable.Encoded, which the journal may write again as it is
}

// Dep is a file an item depended on: its size and modification time when
// the item ran, or Size -1 for a file it looked for and did not find.
type Dep struct {
	Path    string
	Size    int64
	ModTime time.Time
}

// Changed reports whether the file at d.Path is no longer what it was, or
// is gone; for a file that was absent (Size -1), whether it is there now.
func (d Dep) Changed() bool {
	info, err := os.Stat(d.Path)
	if d.Size < 0 {
		return err == nil
	}
	return err != nil || info.Size() != d.Size || !info.ModTime().Equal(d.ModTime)
}

// Reusable is an earlier run's outcome of an item.
type Reusable struct {
	Status   Status // ok or skipped
	Attempts int
	Result   any
	Has      bool
	Fallback bool
	Err      *dsl.ErrorValue // a skipped item's failure, as error callbacks see it
	Deps     []Dep           // the files it depended on, unchanged: kept in this run's journal
	Encoded  []byte          // the journal's own encoding of Result, handed back to it in Finished
}

// keyOf is an item's key for the journal: map.key's value, or the item
// itself, as a canonical key (builtins.CanonicalKey). A map.key that fails
// gives the item's own key.
func (r *run) keyOf(rn *runner) []byte {
	if k := r.plan.Map.Key; k != nil {
		if v, err := rn.ev.run(k); err == nil {
			return builtins.CanonicalKey(v)
		}
	}
	return builtins.CanonicalKey(rn.item)
}

// reuse makes an item's outcome from an earlier run's, without running it.
func reused(rec ItemRecord, key []byte, re Reusable) outcome {
	rec.Status, rec.Fallback, rec.Reused = re.Status, re.Fallback, true
	if re.Err != nil {
		rec.Err = &Error{Kind: Kind(re.Err.Kind), Subject: Subject{Stage: re.Err.Stage, Step: re.Err.Step, Item: rec.Item,
			Index: rec.Index, Worker: rec.Worker, Attempt: re.Err.Attempt, Attempts: re.Err.Attempts}, replay: re.Err}
	}
	return outcome{rec: rec, result: re.Result, has: re.Has, attempts: re.Attempts, key: key, deps: re.Deps, encoded: re.Encoded}
}

// depsOf lists what an item depended on: the paths its builtins read or
// looked for, the item itself when it names a file, and map.depends; each
// with its size and modification time now, the item having run, or as
// absent. A path read that was absent is a dependency too: the file that
// was missing when an item was skipped makes it run again once it is
// there.
func (r *run) depsOf(rn *runner) []Dep {
	paths := rn.reads
	if s, ok := rn.item.(string); ok && s != "" {
		if p := files.Resolve(r.plan.Dir, s); isFile(p) {
			paths = append(paths, p)
		}
	}
	for _, t := range r.plan.Map.Depends {
		if p, err := rn.ev.render(t, false); err == nil && p != "" {
			paths = append(paths, files.Resolve(r.plan.Dir, p))
		}
	}
	slices.Sort(paths)
	var deps []Dep
	for _, p := range slices.Compact(paths) {
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			deps = append(deps, Dep{Path: p, Size: -1})
		case err == nil && info.Mode().IsRegular():
			deps = append(deps, Dep{Path: p, Size: info.Size(), ModTime: info.ModTime()})
		}
	}
	return deps
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// journal records the items of a batch that finished before any of them
// is delivered. A journal that cannot be written is said once and then
// left: the run goes on, a later --resume redoes what was not recorded.
func (c *collector) journal(outs []outcome) {
	j := c.r.eng.Journal
	if j == nil || c.journalFailed {
		return
	}
	finished := c.finished[:0]
	for i := range outs {
		o := &outs[i]
		if o.rec.Status == StatusNotStarted {
			continue
		}
		finished = append(finished, Finished{Key: o.key, Index: o.rec.Index, Item: o.rec.Item, Worker: o.rec.Worker,
			Started: o.rec.Started, Duration: o.rec.Duration, Status: o.rec.Status,
			Attempts: o.attempts, Result: o.result, Has: o.has, Fallback: o.rec.Fallback, Err: o.rec.Err,
			Deps: o.deps, Reused: o.rec.Reused, Encoded: o.encoded})
	}
	c.finished = finished
	if len(finished) == 0 {
		return
	}
	if err := j.Record(finished); err != nil {
		c.journalFailed = true
		if obs := c.r.eng.Observer; obs != nil {
			obs.Warned(dsl.Diagnostic{Pos: dsl.Pos{File: c.r.plan.File}, Severity: dsl.SeverityWarning, Code: "journal",
				Message: "the run's journal cannot be written, so --resume will redo what follows: " + err.Error()})
		}
	}
	clear(c.finished)
}
