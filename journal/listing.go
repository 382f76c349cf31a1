package journal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// Run is what a journal says of its run.
type Run struct {
	ID         string
	Pipeline   string
	File       string // the pipeline file, as the run was given it
	Version    string
	Started    time.Time
	Ended      time.Time // zero when the run did not finish its journal
	Outcome    string    // succeeded, failed, interrupted; "unfinished" for a run killed or still going
	ExitStatus int       // poolflow's exit code; -1 when unfinished
	Totals     Totals
	Failures   []Item // the first items that were not ok, as Read was asked
}

// Item is one item a journal recorded.
type Item struct {
	Index      int
	Text       string // the item as text, at most 200 characters
	Status     string
	Attempts   int
	Worker     int
	Reused     bool
	StartedMS  float64         // from the run's start; with DurationMS, zero for a reused item
	DurationMS float64         // from its first attempt's start to its end
	Error      *dsl.ErrorValue // a skipped, failed or cancelled item's failure
}

// Read reads the journal of run id, listing in Failures the first
// failures items that were skipped, failed or were cancelled.
func (s *Store) Read(id string, failures int) (Run, error) {
	var listed []Item
	run, err := ReadFile(s.Path(id), func(it Item) error {
		if it.Status != string(runtime.StatusOK) && len(listed) < failures {
			listed = append(listed, it)
		}
		return nil
	})
	run.Failures = listed
	return run, err
}

// ReadFile reads the journal at path, calling each with its items in the
// order they were recorded, and tells of its run: from its trailer, or,
// for a run killed before it wrote one, counted from its items.
func ReadFile(path string, each func(Item) error) (Run, error) {
	h, err := readHeader(path)
	if err != nil {
		return Run{}, err
	}
	run := Run{ID: strings.TrimSuffix(filepath.Base(path), ".jsonl"), Pipeline: h.Pipeline, File: h.File, Version: h.Version,
		Started: h.Started, Outcome: "unfinished", ExitStatus: -1}
	f, err := os.Open(path)
	if err != nil {
		return Run{}, err
	}
	defer f.Close()
	var counted Totals
	err = lines(f, func(line []byte, _ int64) error {
		if bytes.HasPrefix(line, []byte(`{"end":`)) {
			var t trailer
			if json.Unmarshal(line, &t) == nil && t.End {
				run.Ended, run.Outcome, run.ExitStatus, run.Totals = t.Ended, t.Outcome, t.ExitStatus, t.Totals
			}
			return nil
		}
		r, ok := parseRecord(line)
		if !ok && (json.Unmarshal(line, &r) != nil || r.Key == "") {
			return nil // the header, or a line that is no item's
		}
		countLine(&counted, r)
		it := Item{Index: r.Index, Text: r.Text, Status: r.Status, Attempts: r.Attempts, Worker: r.Worker, Reused: r.Reused, Error: r.errorValue()}
		if len(r.Times) == 2 {
			it.StartedMS, it.DurationMS = r.Times[0], r.Times[1]
		}
		return each(it)
	})
	if run.Ended.IsZero() {
		run.Totals = counted
	}
	return run, err
}

// IsJournal reports whether text starts as a journal does.
func IsJournal(text []byte) bool { return bytes.HasPrefix(text, []byte(`{"poolflow_journal":`)) }

func countLine(t *Totals, r record) {
	switch r.Status {
	case "ok":
		t.OK++
	case "skipped":
		t.Skipped++
	case "failed":
		t.Failed++
	case "cancelled":
		t.Cancelled++
	}
	if r.Reused {
		t.Reused++
	}
}
