package runtime

import (
	"math/rand/v2"
	"testing"
)

// TestHashSet adds hashes, repeated and not, across several growths, and
// checks each answer against a map.
func TestHashSet(t *testing.T) {
	var s hashSet
	want := map[uint64]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		h := rng.Uint64() % 5000 // many repeats, and 0 among them
		if i%7 == 0 {
			h = rng.Uint64()
		}
		if h == 0 {
			h = 1 // the set keeps 0 as 1
		}
		if got := s.add(h); got != !want[h] {
			t.Fatalf("add(%d) = %v after %d adds, want %v", h, got, i, !want[h])
		}
		want[h] = true
	}
	if s.n != len(want) || 2*s.n > len(s.slots) {
		t.Errorf("the set holds %d hashes in %d slots, want %d, at most half full", s.n, len(s.slots), len(want))
	}
}
