package proctree

// Output is what was kept of one output stream of a command. When the
// stream fit in the limit, Head is all of it and Tail is empty; past the
// limit, Head is its first quarter of the limit, Tail its last three
// quarters, and Dropped counts the bytes between them.
type Output struct {
	Head    []byte
	Tail    []byte
	Dropped int64
}

// Len is how many bytes the command wrote to the stream.
func (o Output) Len() int64 { return int64(len(o.Head)+len(o.Tail)) + o.Dropped }

// minRead is the room a first read gets, as bytes.Buffer gives it: most
// commands write little, and a small buffer costs nothing to clear.
const minRead = 512

// capture keeps a stream within limit bytes. Until the stream passes the
// limit, buf holds all of it. Once buf is full, its first headLen bytes are
// the head and the rest is a ring that keeps the latest bytes, next
// pointing at the oldest; so memory never passes the limit.
//
// A capture is used by one goroutine at a time: its reader, then, once the
// reader is done, whoever calls output.
type capture struct {
	limit    int
	headLen  int
	buf      []byte
	ring     bool   // buf is full and its tail is a ring
	next     int    // in the ring, where the next byte goes
	total    int64  // bytes read in all
	passed   func() // called once, when the stream first passes the limit
	notified bool
}

func newCapture(limit int, passed func()) *capture {
	limit = max(limit, 1)
	return &capture{limit: limit, headLen: limit / 4, passed: passed}
}

// room returns where the next read goes: the free end of buf while the
// stream fits, else the ring from its next byte to its end.
func (c *capture) room() []byte {
	if !c.ring {
		if len(c.buf) < c.limit {
			c.grow()
			return c.buf[len(c.buf):cap(c.buf)]
		}
		c.ring = true // full: what comes next overwrites the oldest tail bytes
	}
	return c.buf[c.headLen+c.next:]
}

// grow makes room in buf, doubling it, never past the limit.
func (c *capture) grow() {
	if len(c.buf) < cap(c.buf) {
		return
	}
	n := min(c.limit, max(minRead, 2*cap(c.buf)))
	b := make([]byte, len(c.buf), n)
	copy(b, c.buf)
	c.buf = b
}

// wrote records that n bytes were read into the room last returned.
func (c *capture) wrote(n int) {
	if n <= 0 {
		return
	}
	c.total += int64(n)
	if !c.ring {
		c.buf = c.buf[:len(c.buf)+n]
		return
	}
	c.next = (c.next + n) % (c.limit - c.headLen)
	if !c.notified && c.passed != nil {
		c.notified = true
		c.passed()
	}
}

// over reports whether the stream passed the limit.
func (c *capture) over() bool { return c.total > int64(c.limit) }

// output is what the capture kept.
func (c *capture) output() Output {
	if !c.over() {
		return Output{Head: c.buf}
	}
	ring := c.buf[c.headLen:]
	tail := make([]byte, 0, len(ring))
	tail = append(append(tail, ring[c.next:]...), ring[:c.next]...)
	return Output{Head: c.buf[:c.headLen], Tail: tail, Dropped: c.total - int64(c.limit)}
}
