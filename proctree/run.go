package proctree

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// Command is a program to run.
type Command struct {
	// Argv is the program and its arguments; a program without a slash is
	// looked up in PATH, as os/exec does.
	Argv []string
	// Dir is the working directory; "" for this program's.
	Dir string
	// Limit is the most bytes kept of each output stream (see Output).
	Limit int
	// StopAtStdoutLimit kills the command the moment its standard output
	// passes Limit.
	StopAtStdoutLimit bool
}

// Result is what a command did.
type Result struct {
	Stdout, Stderr Output
	// State is how the command's first process ended; nil when it did not
	// start.
	State *os.ProcessState
}

// settleLimit bounds the sweeps after a command: processes that do not
// die of SIGKILL within it (stuck in the kernel) are left to the kernel.
const settleLimit = 2 * time.Second

// Run runs a command with its standard input from /dev/null and returns
// once its first process has exited, every process it left behind is
// dead, and its output has been read. When ctx ends first, or standard
// output passes the limit with StopAtStdoutLimit, the command is killed at
// once.
//
// The error is exec.Cmd's: nil, an *exec.ExitError when the first process
// did not exit with 0, or the reason it did not start; or ctx's error when
// ctx ended before the start.
func Run(ctx context.Context, c Command) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if len(c.Argv) == 0 {
		return Result{}, errors.New("no program to run")
	}
	if err := startWatchdog(); err != nil {
		return Result{}, err
	}
	becomeSubreaper()
	runtime.LockOSThread() // until the first process exits: see sysProcAttr
	p, err := start(c)
	if err != nil {
		runtime.UnlockOSThread()
		return Result{}, err
	}
	stop := context.AfterFunc(ctx, p.kill)
	awaitExit(p)
	runtime.UnlockOSThread()
	stop()
	p.end()
	p.settle()
	deadline := time.Now().Add(readGrace) // one grace for both pipes
	return Result{Stdout: p.stdout.finish(deadline), Stderr: p.stderr.finish(deadline), State: p.cmd.ProcessState}, p.waitErr
}

// proc is a started command.
type proc struct {
	cmd            *exec.Cmd
	pid            int // of the first process, which leads the group
	marker         string
	stdout, stderr *stream

	mu    sync.Mutex
	ended bool // the group was killed for good; the pid may be free

	waited  bool // cmd.Wait was called
	waitErr error
}

// start forks the command with a pipe for each output stream.
func start(c Command) (*proc, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	p := &proc{marker: newMarker(), cmd: exec.Command(c.Argv[0], c.Argv[1:]...)}
	p.cmd.Dir, p.cmd.Env = c.Dir, environ(c.Dir, p.marker)
	p.cmd.Stdout, p.cmd.Stderr = outW, errW
	p.cmd.SysProcAttr = sysProcAttr()
	err = fork(p.cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, err
	}
	p.pid = p.cmd.Process.Pid
	var passed func()
	if c.StopAtStdoutLimit {
		passed = p.kill
	}
	p.stdout = readStream(outR, newCapture(c.Limit, passed))
	p.stderr = readStream(errR, newCapture(c.Limit, nil))
	return p, nil
}

// fork starts cmd and registers its pid, counted in flight meanwhile (see
// registry).
func fork(cmd *exec.Cmd) error {
	registry.inFlight.Add(1)
	defer registry.inFlight.Add(-1)
	if err := cmd.Start(); err != nil {
		return err
	}
	forked(cmd.Process.Pid)
	return nil
}

// kill kills the command's group, unless the command has ended. Any
// goroutine may call it, at any time.
func (p *proc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ended {
		killGroup(p.pid)
	}
}

// end kills what is left of the group once its leader has exited, and
// reaps the leader. After it, kill does nothing: the group's id may be
// reused once the group is gone.
func (p *proc) end() {
	p.mu.Lock()
	killGroup(p.pid)
	p.ended = true
	p.mu.Unlock()
	if !p.waited {
		p.waitErr, p.waited = p.cmd.Wait(), true
	}
	reaped(p.pid)
}

// settle sweeps until no orphan of the command is left: each sweep kills
// the live ones and reaps the dead, whose own orphans the next one finds.
func (p *proc) settle() {
	wait := 50 * time.Microsecond
	deadline := time.Now().Add(settleLimit)
	for sweep(p.marker, p.pid) > 0 && time.Now().Before(deadline) {
		time.Sleep(wait)
		wait = min(2*wait, 10*time.Millisecond)
	}
}

// killGroup sends SIGKILL to a process group; a group that is gone is not
// an error worth knowing.
func killGroup(pgid int) {
	syscall.Kill(-pgid, syscall.SIGKILL)
}
