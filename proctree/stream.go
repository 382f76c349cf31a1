package proctree

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// readGrace is how long the output pipes may stay open once every process
// of the command is dead and reaped. Only a process out of reach holds
// them then (one that received the pipe from outside the tree, say); it
// must not hang the command. Whatever the pipes hold when it passes is
// still read, so the grace never costs output the command wrote.
const readGrace = 250 * time.Millisecond

// maxDrainReads bounds the last reads of a pipe whose writer is out of
// reach, should it keep writing.
const maxDrainReads = 64

// stream reads one output pipe of a command into a capture, in a goroutine
// of its own, until the end of the pipe or until finish says to stop.
type stream struct {
	f    *os.File
	c    *capture
	done chan struct{}
}

// readStream starts reading f.
func readStream(f *os.File, c *capture) *stream {
	s := &stream{f: f, c: c, done: make(chan struct{})}
	go s.read()
	return s
}

func (s *stream) read() {
	defer close(s.done)
	for {
		n, err := s.f.Read(s.c.room())
		s.c.wrote(n)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			s.drain()
			return
		}
		if err != nil { // io.EOF: every writer is gone
			return
		}
	}
}

// drain reads what the pipe holds without waiting for more.
func (s *stream) drain() {
	if s.f.SetReadDeadline(time.Time{}) != nil {
		return
	}
	rc, err := s.f.SyscallConn()
	if err != nil {
		return
	}
	rc.Read(func(fd uintptr) bool {
		for range maxDrainReads {
			n, err := syscall.Read(int(fd), s.c.room())
			if n <= 0 || err != nil { // EAGAIN: empty for now; 0: the end
				return true
			}
			s.c.wrote(n)
		}
		return true
	})
}

// finish waits for the reader, at most until deadline, and closes the
// pipe. The caller calls it once the command's processes are dead, so the
// end of the pipe is normally there already.
func (s *stream) finish(deadline time.Time) Output {
	select {
	case <-s.done:
	default:
		if s.f.SetReadDeadline(deadline) != nil {
			s.f.Close() // no deadlines on this file: closing ends the read
		}
		<-s.done
	}
	s.f.Close()
	return s.c.output()
}
