package proctree

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testTimeout bounds each Run of these tests.
const testTimeout = 20 * time.Second

func run(t *testing.T, c Command) (Result, error, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, c)
	if ctx.Err() != nil {
		t.Fatalf("Run did not end within %s", testTimeout)
	}
	return res, err, time.Since(start)
}

// alive reports whether pid runs: it exists and is not a zombie.
func alive(pid int) bool {
	st, ok := readStat(pid)
	return ok && st.state != 'Z' && st.state != 'X'
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestRunKillsTree: children in the group and children that left it are
// dead when Run returns; the output written before the exit is all there.
func TestRunKillsTree(t *testing.T) {
	dir := t.TempDir()
	script := `sleep 60 & echo $! > child
setsid sh -c 'echo $$ > escapee; sleep 60 & echo $! > grandchild; wait' &
while [ ! -s grandchild ]; do sleep 0.01; done
echo done`
	res, err, _ := run(t, Command{Argv: []string{"sh", "-c", script}, Dir: dir, Limit: 1 << 10})
	if err != nil || string(res.Stdout.Head) != "done\n" {
		t.Fatalf("Run = %q, %v; want done, nil", res.Stdout.Head, err)
	}
	for _, name := range []string{"child", "escapee", "grandchild"} {
		if pid := readPid(t, filepath.Join(dir, name)); alive(pid) {
			t.Errorf("the %s (%d) is still running", name, pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// TestRunCancelled: when ctx ends, the command and what it started die at
// once, and Run returns the wait error.
func TestRunCancelled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for deadline := time.Now().Add(testTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, "child")); err == nil {
				break
			}
		}
		cancel()
	}()
	res, err := Run(ctx, Command{Argv: []string{"sh", "-c", "sleep 60 & echo $! > child; wait"}, Dir: dir, Limit: 1 << 10})
	var exit *exec.ExitError
	if !errors.As(err, &exit) || res.State == nil || res.State.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("Run = %v, state %v; want killed by SIGKILL", err, res.State)
	}
	if pid := readPid(t, filepath.Join(dir, "child")); alive(pid) {
		t.Errorf("the child (%d) is still running", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// TestRunStopsAtStdoutLimit: the writer is killed soon after the limit,
// not after writing everything.
func TestRunStopsAtStdoutLimit(t *testing.T) {
	res, err, _ := run(t, Command{Argv: []string{"head", "-c", "100000000", "/dev/zero"}, Limit: 1 << 16, StopAtStdoutLimit: true})
	if res.State == nil || res.State.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL || err == nil {
		t.Errorf("Run = %v, state %v; want killed by SIGKILL", err, res.State)
	}
	if n := res.Stdout.Len(); n <= 1<<16 || n >= 100_000_000 {
		t.Errorf("%d bytes were written, want a little more than the limit", n)
	}
	if len(res.Stdout.Head)+len(res.Stdout.Tail) != 1<<16 {
		t.Errorf("kept %d+%d bytes, want the limit", len(res.Stdout.Head), len(res.Stdout.Tail))
	}
}

// TestRunPipeHeldOutOfReach: a process that cannot be told from others
// (it dropped the marker and left the group) keeps the output pipe open;
// Run still returns, soon after the grace, with the output.
func TestRunPipeHeldOutOfReach(t *testing.T) {
	dir := t.TempDir()
	script := `env -u ` + MarkerVar + ` setsid sh -c 'echo $$ > stranger; exec sleep 60' &
while [ ! -s stranger ]; do sleep 0.01; done
echo out; echo err >&2`
	res, err, took := run(t, Command{Argv: []string{"sh", "-c", script}, Dir: dir, Limit: 1 << 10})
	pid := readPid(t, filepath.Join(dir, "stranger"))
	defer syscall.Kill(pid, syscall.SIGKILL) // out of reach by design: this test ends it
	if err != nil || string(res.Stdout.Head) != "out\n" || string(res.Stderr.Head) != "err\n" {
		t.Errorf("Run = %q, %q, %v; want out, err, nil", res.Stdout.Head, res.Stderr.Head, err)
	}
	if took < readGrace || took > settleLimit+time.Second {
		t.Errorf("Run took %s, want the grace of %s and not much more", took, readGrace)
	}
	if !alive(pid) {
		t.Errorf("the stranger died: the test no longer tests a pipe held out of reach")
	}
}

// TestWatchKillsMarked: once its input ends, the watchdog kills the
// processes whose marker has the prefix, and only those.
func TestWatchKillsMarked(t *testing.T) {
	p := newPrefix("")
	marked := startWithMarker(t, p+"7/"+newPrefix("")+"1")
	other := startWithMarker(t, newPrefix("")+"7")
	defer other.Process.Kill()
	watch(strings.NewReader(""), p)
	if err := marked.Wait(); err == nil || marked.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("the marked process ended with %v, want SIGKILL", err)
	}
	if !alive(other.Process.Pid) {
		t.Errorf("the watchdog killed a process of another program")
	}
	other.Process.Kill()
	other.Wait()
}

// startWithMarker starts a sleep whose marker is value, and waits until
// its environment shows it.
func startWithMarker(t *testing.T, value string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.Env = append(os.Environ(), MarkerVar+"="+value)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(testTimeout); ; time.Sleep(time.Millisecond) {
		if v, ok := markerOf(cmd.Process.Pid); ok && v == value {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("sleep never showed its marker")
		}
	}
}
