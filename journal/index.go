package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/poolflow/poolflow/runtime"
)

// index finds the lines of journals by key: for each key, the last line
// of the newest journal that has one. A chain of journals is indexed when
// a run resumed from another (its header says which): a resumed run that
// was killed early has few lines, and the lines of the run before it
// still count. It holds no results: reuse reads the line it needs.
type index struct {
	files []*os.File
	lines map[string]span
	ok    int // lines that may be reused: ok or skipped
}

type span struct {
	file   int // in files
	offset int64
	length int
	ok     bool // ok or skipped: it may be reused
}

// add indexes the journal at path, under the lines already indexed: a
// key indexed already keeps its line, whatever its status.
func (x *index) add(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	x.files = append(x.files, f)
	file := len(x.files) - 1
	seen := map[string]bool{} // keys of this journal, whose later lines win
	err = lines(f, func(line []byte, offset int64) error {
		var r struct {
			Key    string `json:"k"`
			Status string `json:"s"`
		}
		if json.Unmarshal(line, &r) != nil || r.Key == "" {
			return nil // the header, the trailer
		}
		if old, had := x.lines[r.Key]; had && !seen[r.Key] {
			return nil // a newer journal has it
		} else if had && old.ok {
			x.ok--
		}
		seen[r.Key] = true
		ok := r.Status == string(runtime.StatusOK) || r.Status == string(runtime.StatusSkipped)
		x.lines[r.Key] = span{file, offset, len(line), ok}
		if ok {
			x.ok++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (x *index) len() int { return x.ok }

func (x *index) close() error {
	var errs []error
	for _, f := range x.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// line reads the record of a span.
func (x *index) line(sp span) (record, error) {
	line := make([]byte, sp.length)
	var r record
	if _, err := x.files[sp.file].ReadAt(line, sp.offset); err != nil {
		return r, err
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	return r, dec.Decode(&r)
}

// reuse reads the line of key and gives its outcome, unless a file the
// item depended on changed.
func (x *index) reuse(key []byte) (runtime.Reusable, bool) {
	sp, ok := x.lines[keyHash(key)]
	if !ok || !sp.ok {
		return runtime.Reusable{}, false
	}
	r, err := x.line(sp)
	if err != nil || changed(r.Deps) {
		return runtime.Reusable{}, false
	}
	re := runtime.Reusable{Status: runtime.Status(r.Status), Attempts: r.Attempts, Has: r.Has, Fallback: r.Fallback, Err: r.Error}
	for _, d := range r.Deps {
		re.Deps = append(re.Deps, runtime.Dep{Path: d.Path, Size: d.Size, ModTime: time.Unix(0, d.ModTime)})
	}
	if r.Has {
		v, err := decodeValue(r.Result)
		if err != nil {
			return runtime.Reusable{}, false
		}
		re.Result = v
	}
	return re, true
}

// changed reports whether a file an item depended on is not as it was.
func changed(deps []dep) bool {
	for _, d := range deps {
		if (runtime.Dep{Path: d.Path, Size: d.Size, ModTime: time.Unix(0, d.ModTime)}).Changed() {
			return true
		}
	}
	return false
}

// Reusable counts what a resume from the journal of run id could reuse:
// the items it (and the runs it resumed from) finished for good whose
// files are as they were, and those whose files changed since.
func (s *Store) Reusable(id string, version string, force bool) (reusable, changedFiles int, err error) {
	idx, err := s.chain(id, version, force)
	if err != nil {
		return 0, 0, err
	}
	defer idx.close()
	for _, sp := range idx.lines {
		if !sp.ok {
			continue
		}
		r, err := idx.line(sp)
		if err != nil {
			return 0, 0, err
		}
		if changed(r.Deps) {
			changedFiles++
		} else {
			reusable++
		}
	}
	return reusable, changedFiles, nil
}

// chain indexes the journal of run id and those it resumed from, back to
// one that resumed from none, or from one gone, or (unless force) of
// another version.
func (s *Store) chain(id, version string, force bool) (*index, error) {
	idx := &index{lines: map[string]span{}}
	for range Keep {
		h, err := readHeader(s.Path(id))
		if err != nil {
			idx.close()
			return nil, err
		}
		if h.Version != version && !force {
			break
		}
		if err := idx.add(s.Path(id)); err != nil {
			idx.close()
			return nil, err
		}
		if id = h.Resumed; id == "" {
			break
		}
		if _, err := os.Stat(s.Path(id)); err != nil {
			break
		}
	}
	return idx, nil
}
