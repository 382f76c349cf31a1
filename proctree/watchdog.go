package proctree

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The watchdog is a second process of this program's own executable that
// holds the read end of a pipe whose write end only this program holds.
// The kernel closes the write end when this program exits, however it
// exits, and the watchdog then kills every process that carries this
// program's marker prefix.
var watchdog struct {
	mu      sync.Mutex
	argv    []string // how to run Watch; nil: no watchdog
	started bool
	err     error
	pipe    *os.File // the write end, held until this program exits
}

// EnableWatchdog makes the first Run start a watchdog: this program's own
// executable (/proc/self/exe), run with argv (argv[0] first) and the
// marker prefix as one more argument, must call Watch with its standard
// input and that argument. Later calls change nothing once it started.
func EnableWatchdog(argv ...string) {
	watchdog.mu.Lock()
	defer watchdog.mu.Unlock()
	watchdog.argv = append([]string(nil), argv...)
}

// startWatchdog starts the watchdog once, if enabled, and returns why it
// could not start, each time it is asked.
func startWatchdog() error {
	watchdog.mu.Lock()
	defer watchdog.mu.Unlock()
	if watchdog.argv == nil || !watchdogSupported {
		return nil
	}
	if !watchdog.started {
		watchdog.started = true
		watchdog.pipe, watchdog.err = spawnWatchdog(watchdog.argv)
	}
	return watchdog.err
}

// spawnWatchdog starts the watchdog in a process group of its own, so that
// signals meant for this program's group (^C, kill -9 -PGID) spare it, in
// the root folder, so that it keeps no folder busy, and with its output
// discarded, so that it keeps no pipe of ours open.
func spawnWatchdog(argv []string) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("cannot start the watchdog: %w", err)
	}
	cmd := &exec.Cmd{Path: "/proc/self/exe", Args: slices.Concat(argv, []string{prefix}), Dir: "/", Stdin: r,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true}}
	err = fork(cmd)
	r.Close()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("cannot start the watchdog: %w", err)
	}
	return w, nil
}

// watchLimit bounds the watchdog's killing, should marked processes keep
// appearing.
const watchLimit = 10 * time.Second

// Watch is the watchdog: it waits until r ends, which happens when the
// program that started it has exited, then kills every process whose
// marker starts with prefix, round after round until a round finds none.
// It ignores the signals a terminal sends, so that it outlives a hang-up
// or a ^C that end the program.
func Watch(r io.Reader, prefix string) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGPIPE)
	watch(r, prefix)
	return nil
}

// watch waits for the end of r and kills the marked processes.
func watch(r io.Reader, prefix string) {
	io.Copy(io.Discard, r) // any error means the end as well
	deadline := time.Now().Add(watchLimit)
	for killMarked(prefix) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// checkPrefix refuses a prefix that could match more than one program's
// processes: it must end with a program's identifier and a dot.
func checkPrefix(prefix string) error {
	id, ok := strings.CutSuffix(prefix, ".")
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	if !ok || id == "" || strings.Trim(id, "0123456789abcdef") != "" {
		return fmt.Errorf("watchdog: bad marker prefix %q", prefix)
	}
	return nil
}
