package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal and returns its two ends; the test is
// skipped where there is none.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock int32
	var n uint32
	if err := ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Skipf("no pseudo-terminal: unlock: %v", err)
	}
	if err := ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Skipf("no pseudo-terminal: number: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return master, tty
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

// TestShowProgressOnTerminal: on a terminal the bar shows for text, and
// not with --quiet nor with --format json (spec.md §9.3).
func TestShowProgressOnTerminal(t *testing.T) {
	_, tty := openPTY(t)
	tests := []struct {
		name string
		f    runFlags
		want bool
	}{
		{"text", runFlags{loadFlags: loadFlags{format: "text"}}, true},
		{"text, verbose", runFlags{loadFlags: loadFlags{format: "text"}, verbose: true}, true},
		{"--quiet", runFlags{loadFlags: loadFlags{format: "text"}, quiet: true}, false},
		{"--format json", runFlags{loadFlags: loadFlags{format: "json"}}, false},
		{"--format json --quiet", runFlags{loadFlags: loadFlags{format: "json"}, quiet: true}, false},
	}
	for _, tt := range tests {
		if got := showProgress(&tt.f, tty); got != tt.want {
			t.Errorf("%s: showProgress on a terminal is %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestColorOnTerminal: auto colours a terminal unless NO_COLOR is set and
// not empty; never and always say so (spec.md §9.2).
func TestColorOnTerminal(t *testing.T) {
	_, tty := openPTY(t)
	tests := []struct {
		mode, noColor string
		set           bool
		want          bool
	}{
		{"auto", "", false, true},
		{"auto", "", true, true},
		{"auto", "1", true, false},
		{"never", "", false, false},
		{"always", "1", true, true},
	}
	for _, tt := range tests {
		if tt.set {
			t.Setenv("NO_COLOR", tt.noColor)
		} else {
			unsetenv(t, "NO_COLOR")
		}
		if got := useColor(tt.mode, tty); got != tt.want {
			t.Errorf("--color %s with NO_COLOR=%q (set %v) on a terminal: colour %v, want %v", tt.mode, tt.noColor, tt.set, got, tt.want)
		}
	}
}

// unsetenv unsets a variable for the rest of the test.
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "") // restores the old value after the test
	os.Unsetenv(name)
}

// TestRunOnTerminal runs a pipeline with stderr on a terminal: the bar is
// drawn while it runs, the log lines end up above it, whole, and when the
// run ends the bar is gone and the summary follows the log lines.
func TestRunOnTerminal(t *testing.T) {
	master, tty := openPTY(t)
	unsetenv(t, "NO_COLOR")
	dir := t.TempDir()
	file := filepath.Join(dir, "pipeline.yaml")
	src := `version: 1
name: terminal
workers: 1
items: {range: [0, 6]}
map:
  steps:
    - expr: log("item", item, "starts")
    - expr: sleep("60ms")
    - expr: log("item", item, "ends")
`
	if err := os.WriteFile(file, []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	out := make(chan []byte)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master) // ends with EIO once the terminal is closed
		out <- b.Bytes()
	}()
	var stdout bytes.Buffer
	code := Main([]string{"run", file}, &stdout, tty)
	tty.Close()
	text := string(<-out)
	if code != exitOK {
		t.Fatalf("exit %d; the terminal got:\n%q", code, text)
	}
	if n := strings.Count(text, "\x1b[K["); n < 2 {
		t.Errorf("the bar was drawn %d times, want it redrawn while the run went on", n)
	}
	shown := screen(text)
	var logs []string
	for i := range 6 {
		logs = append(logs, fmt.Sprintf("[%d] item %d starts", i, i), fmt.Sprintf("[%d] item %d ends", i, i))
	}
	if len(shown) < len(logs)+2 || !slices.Equal(shown[:len(logs)], logs) {
		t.Fatalf("the terminal shows\n%s\nwant the log lines first:\n%s", strings.Join(shown, "\n"), strings.Join(logs, "\n"))
	}
	summary := shown[len(logs)]
	if !strings.HasPrefix(summary, "6 ok, 0 skipped, 0 failed, 0 cancelled, 0 not started; 0 retried; ") {
		t.Errorf("after the log lines the terminal shows %q, want the summary", summary)
	}
	if last := shown[len(shown)-1]; last != "" {
		t.Errorf("the terminal's last line is %q, want the bar cleared", last)
	}
	for _, l := range shown {
		if strings.Contains(l, "[#") || strings.Contains(l, "[..") {
			t.Errorf("a bar is left on the terminal: %q", l)
		}
	}
}

// TestOutputOnTerminalAfterTheBar: with stdout and stderr on one terminal,
// output to "-" starts on a line of its own: the bar is cleared before
// the first byte of output, and not drawn again into it (issue 10,
// point 1: `[###.] 38/40 · 38.0/s · ETA 100ms1560`).
func TestOutputOnTerminalAfterTheBar(t *testing.T) {
	master, tty := openPTY(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "pipeline.yaml")
	src := `version: 1
name: terminal
workers: 1
items: {range: [0, 8]}
map:
  steps:
    - expr: sleep("30ms")
    - expr: item * 10
output:
  to: "-"
  format: jsonl
`
	if err := os.WriteFile(file, []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	out := make(chan []byte)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master)
		out <- b.Bytes()
	}()
	code := Main([]string{"run", file}, tty, tty)
	tty.Close()
	text := string(<-out)
	if code != exitOK {
		t.Fatalf("exit %d; the terminal got:\n%q", code, text)
	}
	if n := strings.Count(text, "\x1b[K["); n < 1 {
		t.Fatalf("the bar was never drawn: %q", text)
	}
	shown := screen(strings.ReplaceAll(text, "\r\n", "\n"))
	want := []string{"0", "10", "20", "30", "40", "50", "60", "70"}
	if len(shown) < len(want) || !slices.Equal(shown[:len(want)], want) {
		t.Errorf("the terminal shows\n%s\nwant the output lines first, each whole:\n%s", strings.Join(shown, "\n"), strings.Join(want, "\n"))
	}
}
