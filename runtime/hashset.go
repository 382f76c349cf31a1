package runtime

// hashSet is a set of 64-bit hashes, for unique: open addressing with
// linear probing in one flat table, indexed by the hash's own bits (they
// are uniform already), which costs 8 bytes a slot and, at most half
// full, about one cache miss a lookup. 0 marks an empty slot, so the hash
// 0 is kept as 1.
type hashSet struct {
	slots []uint64
	n     int
}

// add records h and reports whether it was not there before.
func (s *hashSet) add(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
	}
}

// grow doubles the table (it starts at 1,024 slots) and puts every hash
// in its new place.
func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}
