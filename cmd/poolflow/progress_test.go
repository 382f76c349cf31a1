package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/poolflow/poolflow/runtime"
)

// TestProgressLine checks the bar's text for fixed snapshots and elapsed
// times: done of a known total with a bar of 20 cells, or done so far;
// failed and retrying only when there are some; the rate once something is
// done; the ETA while a known total is not reached, in tenths of a second
// below ten seconds and in seconds above.
func TestProgressLine(t *testing.T) {
	tests := []struct {
		name    string
		snap    runtime.Progress
		elapsed time.Duration
		want    string
	}{
		{"spec.md §9.3's example", runtime.Progress{Total: 400, Done: 120, Failed: 2, Retrying: 1},
			seconds(120 / 35.2), "[######..............] 120/400 · 2 failed · 1 retrying · 35.2/s · ETA 8s"},
		{"unknown total", runtime.Progress{Total: -1, Done: 120}, 4 * time.Second,
			"120 done · 30.0/s"},
		{"unknown total, failures", runtime.Progress{Total: -1, Done: 7, Failed: 3, Retrying: 2}, 2 * time.Second,
			"7 done · 3 failed · 2 retrying · 3.5/s"},
		{"nothing done yet", runtime.Progress{Total: 10}, 3 * time.Second,
			"[....................] 0/10"},
		{"at the start", runtime.Progress{Total: 10, Done: 0}, 0, "[....................] 0/10"},
		{"unknown total at the start", runtime.Progress{Total: -1}, 0, "0 done"},
		{"no time yet", runtime.Progress{Total: 10, Done: 1}, 0, "[##..................] 1/10"},
		{"all done", runtime.Progress{Total: 10, Done: 10, Failed: 1}, 2 * time.Second,
			"[####################] 10/10 · 1 failed · 5.0/s"},
		{"empty source", runtime.Progress{Total: 0}, time.Second, "[####################] 0/0"},
		{"ETA in tenths", runtime.Progress{Total: 100, Done: 40}, 4 * time.Second,
			"[########............] 40/100 · 10.0/s · ETA 6s"},
		{"ETA rounded to tenths", runtime.Progress{Total: 100, Done: 30}, 1 * time.Second,
			"[######..............] 30/100 · 30.0/s · ETA 2.3s"},
		{"ETA in seconds", runtime.Progress{Total: 1000, Done: 10}, time.Second,
			"[....................] 10/1000 · 10.0/s · ETA 1m39s"},
		{"slow rate", runtime.Progress{Total: 3, Done: 1}, 30 * time.Second,
			"[######..............] 1/3 · 0.0/s · ETA 1m0s"},
		{"retrying only", runtime.Progress{Total: 4, Done: 2, Retrying: 1}, time.Second,
			"[##########..........] 2/4 · 1 retrying · 2.0/s · ETA 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressLine(tt.snap, tt.elapsed); got != tt.want {
				t.Errorf("progressLine(%+v, %s)\n got %q\nwant %q", tt.snap, tt.elapsed, got, tt.want)
			}
		})
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// fakeClock returns start on its first call and start+step×n on the n-th
// after, so that a bar drawn after n ticks has a known elapsed time.
func fakeClock(step time.Duration) func() time.Time {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := start.Add(time.Duration(n) * step)
		n++
		return t
	}
}

// journalAt is a Journal told, through its observer methods, of a run of
// total items of which the first done finished, one of them failed, and
// one more is running.
func journalAt(total, done int) *runtime.Tally {
	j := runtime.NewTally()
	j.RunStarted(total)
	for i := 0; i <= done; i++ {
		j.ItemStarted(i, fmt.Sprint("item-", i), 0)
	}
	for i := 0; i < done; i++ {
		status := runtime.StatusOK
		if i == 1 {
			status = runtime.StatusSkipped
		}
		j.ItemFinished(runtime.ItemRecord{Index: i, Item: fmt.Sprint("item-", i), Status: status, Duration: time.Second})
	}
	return j
}

// TestConsolePrintlnAboveBar checks that a log line clears the drawn bar,
// is written whole on its own line, and that the bar is drawn again after
// it: on a terminal the line lands above the bar, never inside it.
func TestConsolePrintlnAboveBar(t *testing.T) {
	var buf bytes.Buffer
	j := journalAt(8, 2)
	con := &console{w: &buf}
	con.bar = newProgress(&buf, j, fakeClock(time.Second)) // started at 0s
	con.mu.Lock()
	con.bar.draw() // at 1s
	con.mu.Unlock()
	con.log("[3] reading item-3")        // redraws at 2s
	con.println("two lines\nof notes\n") // redraws at 3s
	const (
		erase = "\r\x1b[K"
		at1s  = "[#####...............] 2/8 · 1 failed · 2.0/s · ETA 3s"
		at2s  = "[#####...............] 2/8 · 1 failed · 1.0/s · ETA 6s"
		at3s  = "[#####...............] 2/8 · 1 failed · 0.7/s · ETA 9s"
	)
	want := erase + at1s +
		erase + "[3] reading item-3\n" + erase + at2s +
		erase + "two lines\nof notes\n" + erase + at3s
	if got := buf.String(); got != want {
		t.Errorf("wrote\n%q\nwant\n%q", got, want)
	}
	if got := screen(buf.String()); !slices.Equal(got, []string{"[3] reading item-3", "two lines", "of notes", at3s}) {
		t.Errorf("the terminal shows %q", got)
	}
}

// TestConsolePrintlnWithoutBar: with no bar, lines are written as they
// are, with no escape codes.
func TestConsolePrintlnWithoutBar(t *testing.T) {
	var buf bytes.Buffer
	con := &console{w: &buf}
	con.log("[0] hello")
	con.println("note\n")
	if got, want := buf.String(), "[0] hello\nnote\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}

// TestTickerLogLinesNeverInsideBar redraws the bar every millisecond
// while several goroutines log and the journal moves on. On the terminal
// the bar wrote to, every log line must stand whole on its own line, in
// the order each goroutine wrote them, and nothing may be left once the
// ticker stops: the bar is cleared when the run ends.
func TestTickerLogLinesNeverInsideBar(t *testing.T) {
	var buf syncBuffer
	j := runtime.NewTally()
	j.RunStarted(400)
	con := &console{w: &buf}
	con.bar = newProgress(&buf, j, time.Now)
	tick := startTicker(con, time.Millisecond)
	const writers, lines = 4, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				index := w*lines + i
				j.ItemStarted(index, index, w)
				con.log(fmt.Sprintf("[%d] writer %d line %d", index, w, i))
				j.ItemFinished(runtime.ItemRecord{Index: index, Item: index, Worker: w, Status: runtime.StatusOK, Duration: time.Millisecond})
			}
		}()
	}
	wg.Wait()
	waitForDraws(t, &buf, 3)
	tick.stop(con)
	if con.bar != nil {
		t.Error("the bar is still set after stop")
	}
	shown := screen(buf.String())
	if last := shown[len(shown)-1]; last != "" {
		t.Errorf("after stop the terminal's last line is %q, want it cleared", last)
	}
	perWriter := map[int][]int{}
	for _, l := range shown[:len(shown)-1] {
		var index, w, i int
		if _, err := fmt.Sscanf(l, "[%d] writer %d line %d", &index, &w, &i); err != nil || l != fmt.Sprintf("[%d] writer %d line %d", index, w, i) {
			t.Fatalf("the terminal shows %q, not a whole log line", l)
		}
		perWriter[w] = append(perWriter[w], i)
	}
	for w := range writers {
		if want := seq(lines); !slices.Equal(perWriter[w], want) {
			t.Errorf("writer %d's lines on the terminal: %v, want %v", w, perWriter[w], want)
		}
	}
}

// waitForDraws waits until the bar was drawn n times, each draw starting
// with the erase sequence followed by '['.
func waitForDraws(t *testing.T, buf *syncBuffer, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(buf.String(), "\r\x1b[K[") < n {
		if time.Now().After(deadline) {
			t.Fatalf("the ticker drew %d times in 10s", strings.Count(buf.String(), "\r\x1b[K["))
		}
		time.Sleep(time.Millisecond)
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for the test to read while the ticker
// writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// screen plays text on a minimal terminal and returns its lines, the last
// being the one the cursor is on: \r returns to the line's start, ESC [ K
// erases to its end, \n moves to a new line, anything else overwrites.
func screen(text string) []string {
	var lines []string
	var cur []rune
	col := 0
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], "\x1b[K"):
			cur = cur[:min(col, len(cur))]
			i += 3
		case text[i] == '\r':
			col = 0
			i++
		case text[i] == '\n':
			lines = append(lines, string(cur))
			cur, col = nil, 0
			i++
		default:
			r, size := utf8.DecodeRuneInString(text[i:])
			if col < len(cur) {
				cur[col] = r
			} else {
				cur = append(cur, r)
			}
			col++
			i += size
		}
	}
	return append(lines, string(cur))
}

// TestShowProgress: a bar only for text on a terminal without --quiet;
// never for a writer that is not a terminal. The terminal cases are in
// pty_linux_test.go.
func TestShowProgress(t *testing.T) {
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeR.Close()
	defer pipeW.Close()
	file, err := os.Create(t.TempDir() + "/stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	text := &runFlags{loadFlags: loadFlags{format: "text"}}
	for name, w := range map[string]io.Writer{
		"buffer": &bytes.Buffer{}, "pipe": pipeW, "file": file, "dev null": devNull(t),
	} {
		if showProgress(text, w) {
			t.Errorf("showProgress to a %s is true, want false", name)
		}
	}
}

func devNull(t *testing.T) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
