package runtime

import (
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// TestRangeSource checks ranges by their items, also at the ends of the
// integers, where stepping past stop would wrap around.
func TestRangeSource(t *testing.T) {
	const maxInt, minInt = math.MaxInt, math.MinInt
	for _, c := range []struct {
		r    [3]int
		want []int
	}{
		{[3]int{0, 5, 1}, []int{0, 1, 2, 3, 4}},
		{[3]int{0, 5, 2}, []int{0, 2, 4}},
		{[3]int{10, 0, -3}, []int{10, 7, 4, 1}},
		{[3]int{5, 5, 1}, nil},
		{[3]int{5, 0, 1}, nil},
		{[3]int{0, 5, -1}, nil},
		{[3]int{maxInt - 7, maxInt, 5}, []int{maxInt - 7, maxInt - 2}},
		{[3]int{maxInt - 1, maxInt, maxInt}, []int{maxInt - 1}},
		{[3]int{minInt + 7, minInt, -5}, []int{minInt + 7, minInt + 2}},
		{[3]int{minInt, maxInt, maxInt}, []int{minInt, -1, maxInt - 1}},
		{[3]int{maxInt, minInt, minInt}, []int{maxInt, -1}},
	} {
		src := newRangeSource(c.r)
		n := src.length()
		var got []int
		for len(got) <= len(c.want) {
			v, err := src.next()
			if errors.Is(err, io.EOF) {
				break
			}
			got = append(got, v.(int))
		}
		if !slices.Equal(got, c.want) || n != len(c.want) {
			t.Errorf("range%v: items %v, length %d; want %v, %d", c.r, got, n, c.want, len(c.want))
		}
	}
}

// TestCountItemsRangeAtOnce checks that a dry run counts a range of 10^18
// items without reading them.
func TestCountItemsRangeAtOnce(t *testing.T) {
	plan := loadPlan(t, t.TempDir(), `version: 1
name: t
items: {range: [0, 1e18]}
map:
  steps:
    - expr: item
`)
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	c, err := CountItems(ctx, plan, func(string) bool { return true })
	n, known := c.N, c.Known
	if n != 1e18 || !known || err != nil {
		t.Errorf("CountItems = %d, %v, %v; want 1000000000000000000, true, nil", n, known, err)
	}
	if got := dsl.RangeLength(math.MinInt, math.MaxInt, 1); got != math.MaxUint64 {
		t.Errorf("RangeLength(min, max, 1) = %d, want %d", got, uint64(math.MaxUint64))
	}
}
