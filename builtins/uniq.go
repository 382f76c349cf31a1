package builtins

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"maps"
	"reflect"
)

// uniq implements uniq(list): the list without repeated values, keeping
// the first of each in order. Values are equal when they have the same
// canonical key (see keys.go), so it takes time linear in the size of
// the list, where expr's own uniq compares every pair.
func uniq(args ...any) (any, error) {
	if err := count("uniq", args, 1); err != nil {
		return nil, err
	}
	switch list := args[0].(type) {
	case []any:
		return dedupe(len(list), func(i int) any { return list[i] }), nil
	case []map[string]string:
		return dedupe(len(list), func(i int) any { return list[i] }), nil
	case []string:
		return dedupe(len(list), func(i int) any { return list[i] }), nil
	}
	rv := reflect.ValueOf(args[0])
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("uniq: want a list, got %T", args[0])
	}
	return dedupe(rv.Len(), func(i int) any { return rv.Index(i).Interface() }), nil
}

// dedupe returns the distinct values among at(0) … at(n-1), first
// occurrences in order. Scalars are looked up by their key directly; lists
// and maps by a 64-bit hash of their canonical key, kept instead of the
// key itself (a million rows would otherwise keep a million key strings),
// and a hash that matches is confirmed by comparing canonical keys.
func dedupe(n int, at func(int) any) []any {
	out := []any{}
	seenScalar := make(map[any]struct{})
	seen := hashedSet{seed: maphash.MakeSeed(), first: make(map[uint64]int, n)}
	for i := range n {
		v := at(i)
		if k, ok := scalarKey(v); ok {
			if _, dup := seenScalar[k]; !dup {
				seenScalar[k] = struct{}{}
				out = append(out, v)
			}
			continue
		}
		if seen.add(v, len(out), out) {
			out = append(out, v)
		}
	}
	return out
}

// hashedSet remembers composite values by the hash of their canonical key
// and their index in the output.
type hashedSet struct {
	seed  maphash.Seed
	first map[uint64]int   // hash → index of the first value with it
	more  map[uint64][]int // further indexes, for distinct values whose hashes collide
	enc   encoder
	other encoder
}

// add records v, to be stored at index next of out, unless an equal value
// is already in out; it reports whether v is new.
func (s *hashedSet) add(v any, next int, out []any) bool {
	s.enc.reset()
	s.enc.value(v)
	h := maphash.Bytes(s.seed, s.enc.buf)
	idx, hit := s.first[h]
	if !hit {
		s.first[h] = next
		return true
	}
	if s.same(v, out[idx]) {
		return false
	}
	for _, j := range s.more[h] {
		if s.same(v, out[j]) {
			return false
		}
	}
	if s.more == nil {
		s.more = map[uint64][]int{}
	}
	s.more[h] = append(s.more[h], next)
	return true
}

// same reports whether w equals v, whose canonical key is in s.enc; two
// maps of strings, the common case, are compared directly.
func (s *hashedSet) same(v, w any) bool {
	if a, ok := v.(map[string]string); ok {
		if b, ok := w.(map[string]string); ok {
			return maps.Equal(a, b)
		}
	}
	s.other.reset()
	s.other.value(w)
	return bytes.Equal(s.enc.buf, s.other.buf)
}
