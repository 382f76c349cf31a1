//go:build !linux

package proctree

import "syscall"

// Without Linux's /proc, subreaper and parent-death signal, a command's
// group is all that is killed.

func becomeSubreaper() {}

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// awaitExit cannot leave the first process a zombie here: it reaps it, and
// the group is killed after, as os/exec would.
func awaitExit(p *proc) { p.waitErr, p.waited = p.cmd.Wait(), true }

func sweep(marker string, pgid int) int { return 0 }

func killMarked(prefix string) int { return 0 }

// watchdogSupported: the watchdog runs /proc/self/exe and reads /proc.
const watchdogSupported = false
