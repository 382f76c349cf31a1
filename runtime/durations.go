package runtime

import (
	"container/heap"
	"math"
	"time"
)

// durations summarises many durations in constant memory: a log-scale
// histogram for quantiles (within about 2% of the true value) and the
// exact maximum. The zero value is ready to use; it is not safe for
// concurrent use.
type durations struct {
	counts [histBuckets]int64
	n      int64
	max    time.Duration
}

const (
	histBuckets = 1200 // 1µs · 1.02^k covers beyond an hour
	histBase    = 1.02 // bucket growth
	histMin     = 1e3  // 1µs in ns: the first bucket holds everything below
)

func bucketOf(d time.Duration) int {
	if float64(d) <= histMin {
		return 0
	}
	b := int(math.Log(float64(d)/histMin)/math.Log(histBase)) + 1
	return min(b, histBuckets-1)
}

// Add counts one duration.
func (h *durations) Add(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.n++
	h.max = max(h.max, d)
}

// Count is how many durations were added.
func (h *durations) Count() int64 { return h.n }

// Max is the longest duration added.
func (h *durations) Max() time.Duration { return h.max }

// Quantile returns the duration below which a share q of them fall.
func (h *durations) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for b, c := range h.counts {
		seen += c
		if seen >= max(rank, 1) {
			upper := time.Duration(histMin * math.Pow(histBase, float64(b)))
			return min(upper, h.max)
		}
	}
	return h.max
}

// Bin is one bin of a histogram of durations: how many were at most UpTo
// and above the previous bin's bound.
type Bin struct {
	UpTo  time.Duration
	Count int64
}

// binBounds are the bins' bounds, a 1-2-5 series from 1µs, past the
// longest duration the histogram tells apart.
var binBounds = func() []time.Duration {
	var out []time.Duration
	for d := time.Microsecond; d <= 10000*time.Second; d *= 10 {
		out = append(out, d, 2*d, 5*d)
	}
	return out
}()

// Bins returns the histogram in 1-2-5 bins (1µs, 2µs, 5µs, 10µs, ...),
// from the first bin that holds a duration to the last, empty bins
// between included; nil when nothing was added. A duration lands in its
// bin within the histogram's 2%.
func (h *durations) Bins() []Bin {
	counts := make([]int64, len(binBounds))
	first, last := len(binBounds), -1
	for b, c := range h.counts {
		if c == 0 {
			continue
		}
		i := binOf(b)
		counts[i] += c
		first, last = min(first, i), max(last, i)
	}
	var out []Bin
	for i := first; i <= last; i++ {
		out = append(out, Bin{UpTo: binBounds[i], Count: counts[i]})
	}
	return out
}

// binOf is the bin of fine bucket b, placed by the middle of its span.
func binOf(b int) int {
	mid := time.Duration(histMin * math.Pow(histBase, float64(b)) / math.Sqrt(histBase))
	for i, bound := range binBounds {
		if mid <= bound {
			return i
		}
	}
	return len(binBounds) - 1
}

// slowest keeps the k slowest items seen, in constant memory.
type slowest struct {
	k    int
	heap itemHeap
}

// SlowItem is an item and how long it took.
type SlowItem struct {
	Index    int
	Item     any
	Duration time.Duration
}

type itemHeap []SlowItem

func (h itemHeap) Len() int           { return len(h) }
func (h itemHeap) Less(i, j int) bool { return h[i].Duration < h[j].Duration }
func (h itemHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)        { *h = append(*h, x.(SlowItem)) }
func (h *itemHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Add offers an item; it is kept when it is among the k slowest so far.
func (s *slowest) Add(index int, item any, d time.Duration) {
	switch {
	case len(s.heap) < s.k:
		heap.Push(&s.heap, SlowItem{Index: index, Item: item, Duration: d})
	case len(s.heap) > 0 && d > s.heap[0].Duration:
		s.heap[0] = SlowItem{Index: index, Item: item, Duration: d}
		heap.Fix(&s.heap, 0)
	}
}

// List returns the kept items, slowest first.
func (s *slowest) List() []SlowItem {
	out := append([]SlowItem(nil), s.heap...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Duration > out[j-1].Duration; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
