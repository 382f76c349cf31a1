package runtime

import (
	"math/rand/v2"
	"testing"
)

// The ring delivers every index once, in order, whatever order they
// arrive in within the window, and grows only as far as the items
// waiting need.
func TestRingGrowsAndDeliversInOrder(t *testing.T) {
	const window, n = 1000, 20000
	r := newRing(window)
	rng := rand.New(rand.NewPCG(9, 9))
	next := 0
	pending := map[int]bool{}
	for next < n {
		// Let any index within the window of next arrive, until the one
		// due next is there.
		for !pending[next] {
			i := next + rng.IntN(min(window, n-next))
			if pending[i] {
				continue
			}
			pending[i] = true
			r.put(i, next, outcome{rec: ItemRecord{Index: i}})
		}
		for {
			out, ok := r.take(next)
			if !ok {
				break
			}
			if out.rec.Index != next {
				t.Fatalf("took index %d for %d", out.rec.Index, next)
			}
			delete(pending, next)
			next++
		}
	}
	if len(r.slots) > window {
		t.Errorf("ring of %d slots, more than the window %d", len(r.slots), window)
	}
	small := newRing(1_000_000_000)
	if len(small.slots) != ringStart {
		t.Errorf("a ring for a window of 10^9 starts with %d slots, want %d", len(small.slots), ringStart)
	}
}
