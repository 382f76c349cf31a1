package journal

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

func plan(t testing.TB, step string) *dsl.Plan {
	t.Helper()
	text := "version: 1\nname: p\nitems: [1, 2, 3]\nmap:\n  steps:\n    - expr: " + step + "\n"
	p, diags := dsl.Load(filepath.Join(t.TempDir(), "p.yaml"), []byte(text), dsl.Options{Functions: builtins.Options()})
	if p == nil {
		t.Fatal(diags)
	}
	return p
}

func key(v any) []byte { return builtins.CanonicalKey(v) }

// runOf makes one "run" of plan in store: the items finish as given, in
// that order; it returns the recorder's id.
func runOf(t *testing.T, store *Store, p *dsl.Plan, mode Resume, now time.Time, items ...runtime.Finished) string {
	t.Helper()
	return endedRun(t, store, p, mode, now, "succeeded", items...)
}

// endedRun is runOf with the run's outcome.
func endedRun(t *testing.T, store *Store, p *dsl.Plan, mode Resume, now time.Time, outcome string, items ...runtime.Finished) string {
	t.Helper()
	rec, err := Start(store, p, mode, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Record(items); err != nil {
		t.Fatal(err)
	}
	if err := rec.Finish(outcome, 0, 0, now); err != nil {
		t.Fatal(err)
	}
	return rec.ID()
}

// killedRun starts a resuming run and leaves its journal as a kill would:
// no trailer.
func killedRun(t *testing.T, store *Store, p *dsl.Plan, now time.Time) {
	t.Helper()
	rec, err := Start(store, p, ResumeSame, now)
	if err != nil {
		t.Fatal(err)
	}
	rec.f.Close()
	rec.prev.close()
	rec.lock.Release()
}

func reusedOK(item, result any) runtime.Finished {
	f := ok(item, result)
	f.Reused = true
	return f
}

func ok(item, result any) runtime.Finished {
	return runtime.Finished{Key: key(item), Item: item, Status: runtime.StatusOK, Attempts: 1, Result: result, Has: true}
}

func failed(item any) runtime.Finished {
	return runtime.Finished{Key: key(item), Item: item, Status: runtime.StatusFailed, Attempts: 1}
}

// reuse starts a resuming run and asks it for each item.
func reuse(t *testing.T, store *Store, p *dsl.Plan, mode Resume, now time.Time, items ...any) map[any]any {
	t.Helper()
	rec, err := Start(store, p, mode, now)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Finish("succeeded", 0, 0, now)
	got := map[any]any{}
	for _, it := range items {
		if re, ok := rec.Reuse(key(it)); ok {
			got[it] = re.Result
		}
	}
	return got
}

// TestResumeFollowsTheChain: a run resumed from another, and killed before
// it recorded anything, still lets the next resume reuse what the first
// finished; a newer line of a key, whatever its status, hides older ones.
func TestResumeFollowsTheChain(t *testing.T) {
	store, err := Open(t.TempDir(), "p")
	if err != nil {
		t.Fatal(err)
	}
	p := plan(t, "item")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	runOf(t, store, p, NoResume, t0, ok(1, 10), ok(2, 20), ok(3, 30))
	endedRun(t, store, p, ResumeSame, t0.Add(time.Second), "failed", reusedOK(1, 10), failed(2), reusedOK(3, 30)) // 2 ran again, and failed
	killedRun(t, store, p, t0.Add(2*time.Second))                                                                 // resumed, and killed before any item
	got := reuse(t, store, p, ResumeSame, t0.Add(3*time.Second), 1, 2, 3)
	want := map[any]any{1: 10, 3: 30}
	if len(got) != len(want) || got[1] != 10 || got[3] != 30 {
		t.Errorf("reused %v, want %v", got, want)
	}
}

func TestResumeRefusesAnotherVersionUnlessForced(t *testing.T) {
	store, _ := Open(t.TempDir(), "p")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	runOf(t, store, plan(t, "item"), NoResume, t0, ok(1, 10))
	other := plan(t, "item + 1")
	if got := reuse(t, store, other, ResumeSame, t0.Add(time.Second), 1); len(got) != 0 {
		t.Errorf("another version reused %v", got)
	}
	store2, _ := Open(t.TempDir(), "p")
	runOf(t, store2, plan(t, "item"), NoResume, t0, ok(1, 10))
	if got := reuse(t, store2, other, ResumeForce, t0.Add(time.Second), 1); got[1] != 10 {
		t.Errorf("--resume=force reused %v", got)
	}
}

func TestTornLastLineIsDropped(t *testing.T) {
	var got []string
	text := "{\"a\":1}\n{\"b\":2}\n{\"c\":"
	err := lines(strings.NewReader(text), func(line []byte, _ int64) error {
		got = append(got, strings.TrimSpace(string(line)))
		return nil
	})
	if err != nil || strings.Join(got, " ") != `{"a":1} {"b":2}` {
		t.Errorf("got %q, %v", got, err)
	}
	got = nil
	lines(strings.NewReader("{\"a\":1}\n{\"b\":\n"), func(line []byte, _ int64) error {
		got = append(got, string(line))
		return nil
	})
	if len(got) != 1 {
		t.Errorf("a torn line with its break: got %q", got)
	}
}

func TestPruneKeepsTen(t *testing.T) {
	store, _ := Open(t.TempDir(), "p")
	p := plan(t, "item")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 13 {
		ids = append(ids, runOf(t, store, p, NoResume, t0.Add(time.Duration(i)*time.Second)))
	}
	got, _ := store.Runs()
	if strings.Join(got, " ") != strings.Join(ids[3:], " ") {
		t.Errorf("kept %v, want the last ten %v", got, ids[3:])
	}
}

func TestLockNamesTheHolder(t *testing.T) {
	store, _ := Open(t.TempDir(), "p")
	lock, err := store.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Acquire()
	want := regexp.MustCompile(`^another run of this pipeline is running \(pid ` + itoa(os.Getpid()) + ` since [^)]+\); wait for it, or give this one another --state$`)
	if !errors.Is(err, ErrLocked) || !want.MatchString(err.Error()) {
		t.Errorf("got %v", err)
	}
	if h := store.Holder(); !strings.HasPrefix(h, "pid "+itoa(os.Getpid())+" since ") {
		t.Errorf("Holder() = %q", h)
	}
	lock.Release()
	if h := store.Holder(); h != "" {
		t.Errorf("Holder() after Release = %q", h)
	}
	again, err := store.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	again.Release()
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestUnkeptResultRunsAgain: a result the journal cannot keep does not
// stop the journal; that item alone runs again.
func TestUnkeptResultRunsAgain(t *testing.T) {
	store, _ := Open(t.TempDir(), "p")
	p := plan(t, "item")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	runOf(t, store, p, NoResume, t0, ok(1, math.NaN()), ok(2, 20))
	got := reuse(t, store, p, ResumeSame, t0.Add(time.Second), 1, 2)
	if _, has := got[1]; has || got[2] != 20 || len(got) != 1 {
		t.Errorf("reused %v, want only 2", got)
	}
}

// TestChainStopsAtAWholeRun: a run that went through its whole source and
// succeeded holds all a resume may reuse; the journals before it are not
// read, so an item it no longer had (it left the source) is not reused.
func TestChainStopsAtAWholeRun(t *testing.T) {
	store, _ := Open(t.TempDir(), "p")
	p := plan(t, "item")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	runOf(t, store, p, NoResume, t0, ok(1, 10), ok(2, 20))
	runOf(t, store, p, ResumeSame, t0.Add(time.Second), reusedOK(1, 10)) // item 2 left the source
	got := reuse(t, store, p, ResumeSame, t0.Add(2*time.Second), 1, 2)
	if len(got) != 1 || got[1] != 10 {
		t.Errorf("reused %v, want only item 1", got)
	}
}
