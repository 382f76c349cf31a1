package runtime

import (
	"reflect"
	"testing"
	"time"
)

// Bins counts durations in 1-2-5 bins, from the first that holds one to
// the last, each duration in the first bin whose bound is not below it.
func TestDurationsBins(t *testing.T) {
	var h durations
	for _, d := range []time.Duration{
		800 * time.Nanosecond,                            // ≤ 1µs
		1500 * time.Microsecond, 1900 * time.Microsecond, // ≤ 2ms
		4 * time.Millisecond,                         // ≤ 5ms
		30 * time.Millisecond, 31 * time.Millisecond, // ≤ 50ms
	} {
		h.Add(d)
	}
	got := h.Bins()
	want := []Bin{{time.Microsecond, 1}, {2 * time.Microsecond, 0}, {5 * time.Microsecond, 0},
		{10 * time.Microsecond, 0}, {20 * time.Microsecond, 0}, {50 * time.Microsecond, 0},
		{100 * time.Microsecond, 0}, {200 * time.Microsecond, 0}, {500 * time.Microsecond, 0},
		{time.Millisecond, 0}, {2 * time.Millisecond, 2}, {5 * time.Millisecond, 1},
		{10 * time.Millisecond, 0}, {20 * time.Millisecond, 0}, {50 * time.Millisecond, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Bins() =\n%v\nwant\n%v", got, want)
	}
	var empty durations
	if got := empty.Bins(); got != nil {
		t.Errorf("Bins() of nothing = %v, want nil", got)
	}
}
