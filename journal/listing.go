package journal

import (
	"encoding/json"
	"os"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// Run is what a journal says of its run.
type Run struct {
	ID       string
	Pipeline string
	Version  string
	Started  time.Time
	Ended    time.Time // zero when the run did not finish its journal
	Outcome  string    // succeeded, failed, interrupted; "unfinished" for a run killed or still going
	Totals   Totals
	Failures []Item // the first items that were not ok, as Read was asked
}

// Item is one item a journal recorded.
type Item struct {
	Index    int
	Status   string
	Attempts int
	Reused   bool
	Error    *dsl.ErrorValue // a skipped, failed or cancelled item's failure
}

// Read reads the journal of run id, listing in Failures the first
// failures items that were skipped, failed or were cancelled.
func (s *Store) Read(id string, failures int) (Run, error) {
	h, err := readHeader(s.Path(id))
	if err != nil {
		return Run{}, err
	}
	run := Run{ID: id, Pipeline: h.Pipeline, Version: h.Version, Started: h.Started, Outcome: "unfinished"}
	f, err := os.Open(s.Path(id))
	if err != nil {
		return Run{}, err
	}
	defer f.Close()
	var counted Totals
	err = lines(f, func(line []byte, _ int64) error {
		var t trailer
		if json.Unmarshal(line, &t) == nil && t.End {
			run.Ended, run.Outcome, run.Totals = t.Ended, t.Outcome, t.Totals
			return nil
		}
		var r record
		if json.Unmarshal(line, &r) != nil || r.Key == "" {
			return nil
		}
		countLine(&counted, r)
		if r.Status != string(runtime.StatusOK) && len(run.Failures) < failures {
			run.Failures = append(run.Failures, Item{Index: r.Index, Status: r.Status, Attempts: r.Attempts, Reused: r.Reused, Error: r.Error})
		}
		return nil
	})
	if run.Ended.IsZero() {
		run.Totals = counted
	}
	return run, err
}

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
