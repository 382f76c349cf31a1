package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/poolflow/poolflow/runtime"
)

// progress draws one status line, redrawn in place on a terminal: items
// done of the total (or done so far), failed, retrying, rate and ETA. The
// console owns the lock around clear and draw, so log lines go above it.
type progress struct {
	w     io.Writer
	tally *runtime.Tally
	now   func() time.Time
	start time.Time
	drawn bool
}

func newProgress(w io.Writer, j *runtime.Tally, now func() time.Time) *progress {
	return &progress{w: w, tally: j, now: now, start: now()}
}

// clear erases the drawn line.
func (p *progress) clear() {
	if p.drawn {
		io.WriteString(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// draw writes the current line.
func (p *progress) draw() {
	io.WriteString(p.w, "\r\x1b[K"+progressLine(p.tally.Progress(), p.now().Sub(p.start)))
	p.drawn = true
}

// progressLine is the text of the bar for a snapshot taken after elapsed.
func progressLine(s runtime.Progress, elapsed time.Duration) string {
	var b strings.Builder
	if s.Total >= 0 {
		fmt.Fprintf(&b, "%s %d/%d", bar(s.Done, s.Total, 20), s.Done, s.Total)
	} else {
		fmt.Fprintf(&b, "%d done", s.Done)
	}
	if s.Failed > 0 {
		fmt.Fprintf(&b, " · %d failed", s.Failed)
	}
	if s.Retrying > 0 {
		fmt.Fprintf(&b, " · %d retrying", s.Retrying)
	}
	secs := elapsed.Seconds()
	if secs > 0 && s.Done > 0 {
		rate := float64(s.Done) / secs
		fmt.Fprintf(&b, " · %.1f/s", rate)
		if s.Total > s.Done {
			eta := time.Duration(float64(s.Total-s.Done) / rate * float64(time.Second))
			fmt.Fprintf(&b, " · ETA %s", roundDuration(eta))
		}
	}
	return b.String()
}

// bar is a text bar of width cells, done of total filled.
func bar(done, total, width int) string {
	filled := width
	if total > 0 {
		filled = min(width, done*width/total)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]"
}

// roundDuration rounds for display: whole seconds past ten seconds,
// tenths below.
func roundDuration(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// ticker redraws the bar every interval until stop is called; stop waits
// for the last redraw and leaves the line clear.
type ticker struct {
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func startTicker(c *console, interval time.Duration) *ticker {
	t := &ticker{done: make(chan struct{})}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-t.done:
				return
			case <-tick.C:
				c.mu.Lock()
				c.bar.draw()
				c.mu.Unlock()
			}
		}
	}()
	return t
}

// stop may be called more than once; the first call stops the ticker.
func (t *ticker) stop(c *console) {
	t.once.Do(func() {
		close(t.done)
		t.wg.Wait()
		c.mu.Lock()
		c.bar.clear()
		c.bar = nil
		c.mu.Unlock()
	})
}

// beforeOutput is the run's standard output: its first write stops the
// bar for good, so that the output starts on a line of its own and the
// bar is never drawn into it (stdout and stderr are often one terminal).
type beforeOutput struct {
	w    io.Writer
	stop func()
	once sync.Once
}

func (b *beforeOutput) Write(p []byte) (int, error) {
	b.once.Do(b.stop)
	return b.w.Write(p)
}
