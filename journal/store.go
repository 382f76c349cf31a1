package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Keep is how many journals of a pipeline a state folder keeps: the
// oldest beyond it are removed when a run starts.
const Keep = 10

// Store is the state folder of one pipeline: dir/NAME, where NAME is the
// pipeline's name, safe for a file name.
type Store struct {
	Dir string
}

// Open returns the store of a pipeline called name in the state folder
// state, creating the folders.
func Open(state, name string) (*Store, error) {
	dir := StoreDir(state, name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	return &Store{Dir: dir}, nil
}

// StoreDir is the folder of the store of a pipeline called name in the
// state folder state.
func StoreDir(state, name string) string { return filepath.Join(state, safeName(name)) }

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(name string) string {
	s := strings.Trim(unsafeChars.ReplaceAllString(name, "_"), "._")
	if s == "" {
		return "pipeline"
	}
	return s
}

// Lock is a store's lock, held by one run at a time.
type Lock struct{ f *os.File }

// ErrLocked is matched by the error Acquire gives when another run holds
// the lock.
var ErrLocked = errors.New("another run of this pipeline is running")

// Acquire takes the store's lock for this process, or says which process
// holds it. The kernel drops the lock when the process ends, however it
// ends, so a killed run never leaves the store locked.
func (s *Store) Acquire() (*Lock, error) {
	f, err := os.OpenFile(filepath.Join(s.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(f.Name())
		f.Close()
		return nil, fmt.Errorf("%w (%s); wait for it, or give this one another --state", ErrLocked, holderText(holder))
	}
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d since %s\n", os.Getpid(), time.Now().Format(time.RFC3339))
	return &Lock{f: f}, nil
}

func holderText(b []byte) string {
	if s := strings.TrimSpace(string(b)); s != "" {
		return s
	}
	return "its process is not known"
}

// Release gives the lock back.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}

// NewID names a new run: its start time, sortable, and the process.
func NewID(now time.Time) string {
	return now.UTC().Format("20060102T150405.000") + "-" + strconv.Itoa(os.Getpid())
}

// Runs lists the store's journals, oldest first, by their ids.
func (s *Store) Runs() ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(s.Dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(paths))
	for i, p := range paths {
		ids[i] = strings.TrimSuffix(filepath.Base(p), ".jsonl")
	}
	slices.Sort(ids)
	return ids, nil
}

// Path is the journal file of run id.
func (s *Store) Path(id string) string { return filepath.Join(s.Dir, id+".jsonl") }

// Prune removes the oldest journals beyond Keep, the run about to start
// counted.
func (s *Store) Prune() error {
	ids, err := s.Runs()
	if err != nil {
		return err
	}
	var errs []error
	for len(ids) >= Keep {
		errs = append(errs, os.Remove(s.Path(ids[0])))
		ids = ids[1:]
	}
	return errors.Join(errs...)
}

// Holder says which process holds the store's lock, or "" when none does.
func (s *Store) Holder() string {
	f, err := os.Open(filepath.Join(s.Dir, "lock"))
	if err != nil {
		return ""
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return ""
	}
	holder, _ := os.ReadFile(f.Name())
	return holderText(holder)
}
