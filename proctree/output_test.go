package proctree

import (
	"reflect"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind, such
// as a pipe reader.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// feed writes chunks into a capture as a reader would, through room.
func feed(c *capture, chunks ...string) {
	for _, s := range chunks {
		for s != "" {
			n := copy(c.room(), s)
			c.wrote(n)
			s = s[n:]
		}
	}
}

func TestCapture(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		chunks []string
		want   Output
	}{
		{"empty", 8, nil, Output{}},
		{"fits", 8, []string{"abc", "defgh"}, Output{Head: []byte("abcdefgh")}},
		{"one past", 8, []string{"abcdefghi"}, Output{Head: []byte("ab"), Tail: []byte("defghi"), Dropped: 1}},
		{"far past, in small chunks", 8, []string{"0123", "4567", "89ab", "cdef", "g"},
			Output{Head: []byte("01"), Tail: []byte("bcdefg"), Dropped: 9}},
		{"far past, at once", 8, []string{strings.Repeat("x", 100) + "tail!!"},
			Output{Head: []byte("xx"), Tail: []byte("tail!!"), Dropped: 98}},
		{"limit of one", 1, []string{"abc"}, Output{Head: []byte{}, Tail: []byte("c"), Dropped: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCapture(tt.limit, nil)
			feed(c, tt.chunks...)
			got := c.output()
			if string(got.Head) != string(tt.want.Head) || string(got.Tail) != string(tt.want.Tail) || got.Dropped != tt.want.Dropped {
				t.Errorf("kept head %q, tail %q, dropped %d; want %q, %q, %d",
					got.Head, got.Tail, got.Dropped, tt.want.Head, tt.want.Tail, tt.want.Dropped)
			}
			var total int
			for _, s := range tt.chunks {
				total += len(s)
			}
			if got.Len() != int64(total) {
				t.Errorf("Len() = %d, want %d", got.Len(), total)
			}
		})
	}
}

// TestCaptureMemory: the buffer never grows past the limit, however much
// is written.
func TestCaptureMemory(t *testing.T) {
	c := newCapture(1000, nil)
	for range 1000 {
		feed(c, strings.Repeat("y", 777))
	}
	if cap(c.buf) > 1000 {
		t.Errorf("the buffer holds %d bytes, want at most the limit, 1000", cap(c.buf))
	}
}

// TestCapturePassedOnce: the hook runs once, when the first byte past the
// limit arrives, not when the stream merely reaches it.
func TestCapturePassedOnce(t *testing.T) {
	var calls []int64
	var c *capture
	c = newCapture(4, func() { calls = append(calls, c.total) })
	feed(c, "abcd")
	if len(calls) != 0 {
		t.Fatalf("the hook ran at the limit: %v", calls)
	}
	feed(c, "e", "fgh")
	if !reflect.DeepEqual(calls, []int64{5}) {
		t.Errorf("the hook ran after %v bytes, want once, after 5", calls)
	}
}
