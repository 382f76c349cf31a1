// Package proctree runs commands so that none of their processes outlives
// the command, and none outlives the program that started it, and keeps a
// bounded amount of their output.
//
// Run starts a command in a process group of its own and returns once the
// command has exited, every process it left behind is dead and reaped, and
// its output has been read. "Left behind" covers the command's group and
// the processes that left it (setsid, setpgid): on Linux the program is
// made a child subreaper (PR_SET_CHILD_SUBREAPER), so that such processes
// are reparented to it when their parent dies, and each command carries an
// environment marker, POOLFLOW_STEP, that names it, so that an orphan can
// be attributed to the command it came from even after leaving its group.
//
// When the program itself dies without a chance to clean up (SIGKILL, a
// fatal error of the Go runtime, the kernel's OOM killer), two mechanisms
// remain: each command's first process gets SIGKILL from the kernel
// (PR_SET_PDEATHSIG), and a watchdog process, started with EnableWatchdog,
// sees the end of a pipe only the program held and kills every process
// that carries the program's marker.
//
// The package owns the children of the program's main thread, where the
// kernel puts orphans: it reaps the zombies among them, by pid and never
// with wait(-1), but never a process it started itself (a command, the
// watchdog). A process the program starts by other means while commands
// run may, if it was forked from the main thread, be reaped before its
// own Wait; poolflow starts none.
//
// Output is captured per stream up to a limit: past it, the head and the
// tail are kept (see Output); standard output may instead end the command
// at once (Command.StopAtStdoutLimit).
//
// On systems other than Linux, commands still run in a process group that
// is killed when they end, and output is still bounded; there is no
// subreaper, no parent-death signal and no watchdog.
//
// It imports only the standard library and golang.org/x/sys.
package proctree
