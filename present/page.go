package present

import (
	"container/heap"
	"encoding/json"
	"strings"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// The HTML report's scale rules (spec.md §9.6): what the page holds
// individually, and how much, so that it stays small and quick to open
// whatever the run.
const (
	// MaxBars is how many attempts the timeline shows as bars; past it,
	// the lanes are binned by time slice.
	MaxBars = 10000
	// maxCells bounds the bins of all lanes together; a lane has between
	// minSlices and maxSlices slices.
	maxCells  = 16000
	minSlices = 20
	maxSlices = 400
	// maxFailureBars is how many failed attempts a binned timeline still
	// shows as bars, the first ones the report lists.
	maxFailureBars = 1000
	// slowestShown is how many of the slowest items the page lists, and a
	// binned timeline shows as bars.
	slowestShown = 10
	// maxFailureTexts is how many failures the page renders in full, and
	// maxFailureText how long each may be.
	maxFailureTexts = 100
	maxFailureText  = 8 << 10
	// maxHeadline and maxItemText shorten what a bar says.
	maxHeadline = 160
	maxItemText = 60
	// MaxPageBytes is the most the page takes, as spec.md states it; a
	// test holds the page to it in the worst cases.
	MaxPageBytes = 4 << 20
)

// Outcome is how an attempt ended, as the timeline colours it.
type Outcome int

// Attempt outcomes, in the order of a bin's counts.
const (
	OutcomeOK        Outcome = iota // it succeeded
	OutcomeRetried                  // it failed and was retried
	OutcomeSkipped                  // it failed for good under skip
	OutcomeFailed                   // it failed and ended the run
	OutcomeCancelled                // it was running when the run was stopped
	outcomes
)

var outcomeNames = [outcomes]string{"ok", "retried", "skipped", "failed", "cancelled"}

func (o Outcome) String() string { return outcomeNames[o] }

// Bar is one attempt on the timeline, or a worker's initializer (Index
// -1). Item is set when there is no Headline, which names the item.
type Bar struct {
	StartMS, DurationMS float64
	Outcome             Outcome
	Index               int
	Attempt, Attempts   int
	Item                string
	Headline            string
	Failure             int // the failure rendered in full it is, or -1
}

// MarshalJSON writes a bar as an array, the page's script reads it so:
// [start, duration, outcome, index, attempt, attempts, item, headline, failure].
func (b Bar) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{b.StartMS, b.DurationMS, int(b.Outcome), b.Index, b.Attempt, b.Attempts, b.Item, b.Headline, b.Failure})
}

// Lane is one worker's row of the timeline.
type Lane struct {
	Worker int           `json:"worker"`
	Node   string        `json:"node,omitempty"` // in a distributed run, the worker process whose slot Worker is
	Init   *Bar          `json:"init"`
	Bars   []Bar         `json:"bars"`   // every attempt, or when binned the failed ones and the slowest items'
	Counts [outcomes]int `json:"counts"` // attempts by outcome
	Bins   []int         `json:"bins"`   // when binned: per slice, attempts started in it by outcome (5 per slice)
	Busy   []int         `json:"busy"`   // when binned: per slice, the share of it spent in each outcome, in percent
	busyUS []int64       // when binned: per slice and outcome, microseconds spent
	index  map[[2]int]bool
}

// Timeline is the page's picture of the run: one lane per worker.
type Timeline struct {
	DurationMS float64      `json:"duration_ms"` // the axis, from the run's start
	SliceMS    float64      `json:"slice_ms"`    // > 0: the lanes are binned in slices this long
	Slices     int          `json:"slices"`
	EndedBy    *EndedByJSON `json:"ended_by"`
	EndedText  string       `json:"ended_text"` // what the end marker says
	Lanes      []*Lane      `json:"lanes"`
}

// FailureText is one failure rendered as the terminal shows it.
type FailureText struct {
	ID       string // its anchor
	Severity string // error, or warning for one its policy skipped
	Headline string
	Text     string
}

// SlowItem is one of the slowest items.
type SlowItem struct {
	Index    int
	Item     string
	Worker   int
	Node     string
	Status   string
	Attempts int
	MS       float64
	bars     []Bar
}

// itemFailure is an item's final failure, kept to be rendered once the
// report's own failures, which come first, are known.
type itemFailure struct {
	err    dsl.ErrorValue
	failed bool // it ended the run: an error, not a warning
	index  int
}

// Page is everything the HTML report shows, derived from a report: its
// items one at a time (Add), in the report's order, then its facts
// (Finish). Nothing Add keeps grows with the number of items: past
// MaxBars attempts the lanes are binned, in slices of a power of two
// microseconds that double (merging pairs) as the run's time grows, so
// that the bins are the same whatever the order of the items.
type Page struct {
	Report       *Report // the facts; its items are not kept
	Timeline     Timeline
	Failures     []FailureText
	MoreFailures int // failures not rendered in full
	Slowest      []SlowItem
	bars         int     // attempts seen
	failureBars  int     // failed attempts a binned timeline shows as bars
	maxEndUS     int64   // when the last bar ends
	order        []*Lane // until binning, the lane of each bar, in the order they came
	sliceUS      int64   // when binned, the slices' length
	itemFailures []itemFailure
	failedItems  []int // the indexes of the items that ended the run, some of them
	moreItems    int   // item failures past those kept
	slow         slowHeap
	nodeLanes    map[laneKey]*Lane // a distributed run's lanes, by worker process and slot
}

// laneKey names a slot of a distributed run's worker process.
type laneKey struct {
	node string
	slot int
}

// NewPage starts a page; Add gives it the report's items, Finish its facts.
func NewPage() *Page { return &Page{} }

// lane returns the lane of slot w of the worker process node, adding
// it; in a run on one machine (node "") worker w's, adding lanes up to
// it. Slots of two processes have the same numbers: each is a lane.
func (p *Page) lane(node string, w int) *Lane {
	if node != "" {
		return p.nodeLane(node, w)
	}
	for len(p.Timeline.Lanes) <= w {
		l := &Lane{Worker: len(p.Timeline.Lanes), Bars: []Bar{}}
		if p.sliceUS > 0 {
			l.startBins()
		}
		p.Timeline.Lanes = append(p.Timeline.Lanes, l)
	}
	return p.Timeline.Lanes[w]
}

// nodeLane returns the lane of a distributed run's slot, adding it after
// the others.
func (p *Page) nodeLane(node string, w int) *Lane {
	k := laneKey{node, w}
	if l, ok := p.nodeLanes[k]; ok {
		return l
	}
	if p.nodeLanes == nil {
		p.nodeLanes = map[laneKey]*Lane{}
	}
	l := &Lane{Worker: w, Node: node, Bars: []Bar{}}
	if p.sliceUS > 0 {
		l.startBins()
	}
	p.nodeLanes[k] = l
	p.Timeline.Lanes = append(p.Timeline.Lanes, l)
	return l
}

// Add puts one item of the report on the page.
func (p *Page) Add(it ItemJSON) {
	if len(it.Attempts) == 0 || it.Worker < 0 {
		return
	}
	failure := p.keepItemFailure(it)
	bars := make([]Bar, len(it.Attempts))
	for i, a := range it.Attempts {
		bars[i] = attemptBar(it, i, a, failure)
	}
	l := p.lane(it.Node, it.Worker)
	for _, b := range bars {
		p.place(l, b)
	}
	if it.Status != "cancelled" {
		p.noteSlow(it, bars)
	}
}

// keepItemFailure keeps an item's final failure, if it failed for good,
// to be rendered at the end; it returns its place among those kept, or -1.
func (p *Page) keepItemFailure(it ItemJSON) int {
	last := it.Attempts[len(it.Attempts)-1].Error
	if last == nil || (it.Status != "skipped" && it.Status != "failed") {
		return -1
	}
	if it.Status == "failed" && len(p.failedItems) < maxFailureTexts {
		p.failedItems = append(p.failedItems, it.Index)
	}
	if len(p.itemFailures) > maxFailureTexts { // one more than can be shown: one of them may be the run's own
		p.moreItems++
		return -1
	}
	p.itemFailures = append(p.itemFailures, itemFailure{err: *last, failed: it.Status == "failed", index: it.Index})
	return len(p.itemFailures) - 1
}

// attemptBar is attempt i of an item.
func attemptBar(it ItemJSON, i int, a AttemptJSON, failure int) Bar {
	b := Bar{StartMS: a.StartedMS, DurationMS: a.DurationMS, Index: it.Index, Attempt: i + 1, Attempts: len(it.Attempts),
		Failure: -1, Outcome: attemptOutcome(it.Status, i == len(it.Attempts)-1, a.Error != nil)}
	if a.Error == nil {
		b.Item = shorten(it.Item, maxItemText)
		return b
	}
	b.Headline, b.Attempts = shorten(a.Error.Headline, maxHeadline), max(a.Error.Attempts, len(it.Attempts))
	if i == len(it.Attempts)-1 {
		b.Failure = failure
	}
	return b
}

// attemptOutcome is how an attempt ended, from how its item did.
func attemptOutcome(status string, last, failed bool) Outcome {
	switch {
	case !failed:
		return OutcomeOK
	case !last:
		return OutcomeRetried
	case status == "skipped":
		return OutcomeSkipped
	case status == "failed":
		return OutcomeFailed
	case status == "cancelled":
		return OutcomeCancelled
	}
	return OutcomeRetried // a failed attempt of an item that succeeded later
}

// noteSlow offers an item to the slowest.
func (p *Page) noteSlow(it ItemJSON, bars []Bar) {
	first, last := it.Attempts[0], it.Attempts[len(it.Attempts)-1]
	s := SlowItem{Index: it.Index, Item: shorten(it.Item, maxItemText), Worker: it.Worker, Node: it.Node, Status: it.Status,
		Attempts: len(it.Attempts), MS: round3(last.StartedMS + last.DurationMS - first.StartedMS)}
	switch {
	case len(p.slow) < slowestShown:
		s.bars = bars
		heap.Push(&p.slow, s)
	case s.MS > p.slow[0].MS:
		s.bars = bars
		p.slow[0] = s
		heap.Fix(&p.slow, 0)
	}
}

// Finish completes the page with the report's facts, once every item was
// added: the workers' initializers, the failures rendered in full (the
// run's own first, then the retired workers', the callbacks', the items'),
// the end marker, the slowest items.
func (p *Page) Finish(r *Report) {
	p.Report = r
	tl := &p.Timeline
	tl.DurationMS, tl.EndedBy = r.DurationMS, r.EndedBy
	if r.EndedBy != nil {
		tl.EndedText = endedText(r)
	}
	ids := p.renderFailures(r)
	for _, w := range r.Workers {
		init := p.initBar(r, w)
		if p.nodeLanes != nil && init == nil { // a distributed run's initializers ran in the worker processes
			continue
		}
		p.lane("", w.Worker).Init = init
	}
	if len(tl.Lanes) == 0 {
		tl.Lanes = []*Lane{}
	}
	p.Slowest = make([]SlowItem, len(p.slow))
	for i := len(p.slow) - 1; i >= 0; i-- {
		p.Slowest[i] = heap.Pop(&p.slow).(SlowItem)
	}
	for _, s := range p.Slowest {
		relink(s.bars, ids)
	}
	for _, l := range tl.Lanes {
		relink(l.Bars, ids)
		if l.Init != nil {
			p.maxEndUS = max(p.maxEndUS, us(l.Init.StartMS+l.Init.DurationMS))
		}
	}
	if p.sliceUS == 0 {
		tl.DurationMS = max(tl.DurationMS, float64(p.maxEndUS)/1000) // an axis that holds every bar
		return
	}
	p.finishBins()
}

// slowHeap keeps the slowest items, the quickest of them on top.
type slowHeap []SlowItem

func (h slowHeap) Len() int           { return len(h) }
func (h slowHeap) Less(i, j int) bool { return h[i].MS < h[j].MS }
func (h slowHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *slowHeap) Push(x any)        { *h = append(*h, x.(SlowItem)) }
func (h *slowHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// shorten cuts s to n characters, ending with … when cut.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// cutBytes cuts s to at most n bytes, at a line's end when there is one.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = strings.ToValidUTF8(s[:n], "")
	if i := strings.LastIndexByte(s, '\n'); i > 0 {
		return s[:i+1]
	}
	return s
}

// msText writes milliseconds as the summary writes durations.
func msText(v float64) string { return short(time.Duration(v * float64(time.Millisecond))) }

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

// us is milliseconds as whole microseconds, as the report rounds them.
func us(ms float64) int64 { return int64(ms*1000 + 0.5) }
