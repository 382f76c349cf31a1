package proctree

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// childrenPath lists the children of the program's main thread, where the
// kernel reparents orphans (the first live thread of the subreaper).
var childrenPath = fmt.Sprintf("/proc/%d/task/%d/children", os.Getpid(), os.Getpid())

// watchdogSupported: the watchdog runs /proc/self/exe and reads /proc.
const watchdogSupported = true

var subreaper sync.Once

// becomeSubreaper makes orphaned descendants children of this program
// instead of init. It must happen before the first command is forked: the
// kernel looks for a subreaper among ancestors that had the flag when it
// forked their descendants.
func becomeSubreaper() {
	subreaper.Do(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) })
}

// sysProcAttr puts a command in a group of its own, led by its first
// process, which the kernel kills should the forking thread die. Run keeps
// that thread locked to its goroutine until the process has exited, as
// go.dev/issue/27505 advises, so that the thread only dies with the
// program.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// awaitExit waits until the command's first process has exited, leaving
// it a zombie for cmd.Wait to reap: while it is one, its pid, which is
// also its group's id, cannot be reused, so the group can still be killed
// safely.
func awaitExit(p *proc) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, p.pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

// sweep kills and reaps the orphans of the command marked marker, whose
// group was pgid: every child of the program that os/exec does not wait
// for and that carries the marker or belongs to the group. It also reaps
// the zombie orphans of any command, unless a fork was in flight (see
// registry). It returns how many orphans it acted on; a live one takes a
// later sweep to reap.
func sweep(marker string, pgid int) int {
	registry.sweeping.Lock()
	defer registry.sweeping.Unlock()
	kids := children()
	mayReap := registry.inFlight.Load() == 0 // after listing: see registry
	n := 0
	for _, pid := range kids {
		if owned(pid) {
			continue
		}
		st, ok := readStat(pid)
		switch {
		case !ok:
		case st.state == 'Z' || st.state == 'X':
			if mayReap {
				var ws unix.WaitStatus
				unix.Wait4(pid, &ws, unix.WNOHANG, nil)
				n++
			}
		case st.pgrp == pgid || markedBy(pid, marker):
			if killTree(pid, st.pgrp, pgid) {
				n++
			}
		}
	}
	return n
}

// killTree kills an orphan and, when it leads a group other than the
// command's, that group. It reports false when the orphan cannot be killed
// (a set-user-ID program): waiting for it would be in vain.
func killTree(pid, pgrp, pgid int) bool {
	if pgrp == pid && pgrp != pgid {
		unix.Kill(-pid, unix.SIGKILL)
	}
	return !errors.Is(unix.Kill(pid, unix.SIGKILL), unix.EPERM)
}

// children are the children of the main thread, where orphans arrive.
// Without /proc/PID/task/TID/children (a kernel without
// CONFIG_PROC_CHILDREN) it finds them by reading every process's parent.
func children() []int {
	b, err := os.ReadFile(childrenPath)
	if errors.Is(err, os.ErrNotExist) {
		return childrenByScan()
	}
	var out []int
	for f := range bytes.FieldsSeq(b) {
		if pid, err := strconv.Atoi(string(f)); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

func childrenByScan() []int {
	me := os.Getpid()
	var out []int
	for _, pid := range allPids() {
		if st, ok := readStat(pid); ok && st.ppid == me {
			out = append(out, pid)
		}
	}
	return out
}

// allPids lists the processes of the machine, as /proc shows them.
func allPids() []int {
	entries, _ := os.ReadDir("/proc") // on error, none
	var out []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// stat is what /proc/PID/stat says of a process that sweeps need.
type stat struct {
	state      byte
	ppid, pgrp int
}

// readStat reads /proc/PID/stat: "pid (comm) state ppid pgrp ...", where
// comm may hold spaces and parentheses, so fields count from the last ')'.
func readStat(pid int) (stat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := bytes.LastIndexByte(b, ')')
	if err != nil || i < 0 {
		return stat{}, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 3 || len(f[0]) != 1 {
		return stat{}, false
	}
	ppid, err1 := strconv.Atoi(string(f[1]))
	pgrp, err2 := strconv.Atoi(string(f[2]))
	return stat{state: f[0][0], ppid: ppid, pgrp: pgrp}, err1 == nil && err2 == nil
}

// markerOf is a process's MarkerVar, from the environment it was started
// with; false when it has none or cannot be read (it exited, or is another
// user's).
func markerOf(pid int) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return "", false
	}
	return markerIn(b)
}

func markedBy(pid int, marker string) bool {
	v, ok := markerOf(pid)
	return ok && belongsTo(v, marker)
}

// killMarked kills every process of the machine whose marker starts with
// prefix, and returns how many it found alive.
func killMarked(prefix string) int {
	n := 0
	for _, pid := range allPids() {
		if v, ok := markerOf(pid); ok && strings.HasPrefix(v, prefix) {
			unix.Kill(pid, unix.SIGKILL)
			n++
		}
	}
	return n
}
