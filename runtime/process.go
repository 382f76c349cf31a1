package runtime

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// stderrTailLines is how much of a failed command's standard error an
// error carries.
const stderrTailLines = 20

// waitDelay bounds how long Wait waits for output after the process was
// killed, should something outside its process group hold the pipes.
const waitDelay = 2 * time.Second

// processError is a command that exited non-zero or could not start.
type processError struct {
	result dsl.ProcessResult
	err    error // the start or wait error
}

func (e *processError) Error() string {
	if e.result.Code > 0 {
		return "exit status " + itoa(e.result.Code)
	}
	return e.err.Error()
}

func (e *processError) Unwrap() error { return e.err }

// runProcess runs argv in dir, in a process group of its own, with stdin
// from /dev/null. When ctx ends, the whole group is killed, so children of
// a shell die with it. When the command has exited, whatever it left
// running in its group is killed too: no step outlives itself.
func runProcess(ctx context.Context, argv []string, dir string) (dsl.ProcessResult, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = waitDelay
	err := cmd.Run()
	killGroup(cmd)
	res := dsl.ProcessResult{Stdout: stdout.String(), Stderr: stderr.String(), Code: exitCode(cmd, err)}
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, &processError{result: res, err: err}
	}
	return res, nil
}

// killGroup kills the process group the command leads, if it started.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// exitCode is the command's exit status, 128+signal when a signal ended it
// (as shells say), or -1 when it did not run.
func exitCode(cmd *exec.Cmd, err error) int {
	if cmd.ProcessState == nil {
		return -1
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func itoa(i int) string { return text(i) }
