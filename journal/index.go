package journal

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
	lines map[hashed]span
	ok    int // lines that may be reused: ok or skipped
}

// span is where a line is: 16 bytes, so that an index of a million items
// costs about 40 MB with the map's own.
type span struct {
	offset int64
	length uint32
	file   uint16 // in files
	ok     bool   // ok or skipped: it may be reused
}

// add indexes the journal at path, under the lines already indexed: a
// key indexed already keeps its line, whatever its status. It reports
// whether the journal's run went through its whole source: it succeeded,
// with no item cancelled or never started, so that every item of its
// source it could reuse from older journals it has itself (an older
// journal's items that left the source are not reused then).
func (x *index) add(path string) (whole bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	x.files = append(x.files, f)
	file := uint16(len(x.files) - 1) // at most Keep journals
	err = lines(f, func(line []byte, offset int64) error {
		key, status, isItem := itemLine(line)
		if !isItem || len(line) > math.MaxUint32 {
			var t trailer
			if bytes.HasPrefix(line, []byte(`{"end":`)) && json.Unmarshal(line, &t) == nil {
				whole = t.Outcome == "succeeded" && t.Totals.Cancelled == 0 && t.Totals.NotStarted == 0
			}
			return nil // the header, the trailer
		}
		if old, had := x.lines[key]; had && old.file != file {
			return nil // a newer journal has it
		} else if had && old.ok {
			x.ok--
		}
		ok := status == string(runtime.StatusOK) || status == string(runtime.StatusSkipped)
		x.lines[key] = span{offset: offset, length: uint32(len(line)), file: file, ok: ok}
		if ok {
			x.ok++
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return whole, nil
}

func (x *index) len() int { return x.ok }

func (x *index) close() error {
	var errs []error
	for _, f := range x.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// itemLine finds an item line's key and status: from the start of the
// line as encodeRecord writes it, or, for a line written otherwise, by
// decoding it.
func itemLine(line []byte) (key hashed, status string, ok bool) {
	const keyAt, statusAt = `,"k":"`, `","s":"`
	i := bytes.Index(line, []byte(keyAt))
	if bytes.HasPrefix(line, []byte(`{"i":`)) && i > 0 && len(line) > i+len(keyAt)+32+len(statusAt) {
		k := line[i+len(keyAt):][:32]
		rest := line[i+len(keyAt)+32:]
		if _, err := hex.Decode(key[:], k); err == nil && bytes.HasPrefix(rest, []byte(statusAt)) {
			rest = rest[len(statusAt):]
			if end := bytes.IndexByte(rest, '"'); end > 0 {
				return key, string(rest[:end]), true
			}
		}
	}
	var r struct {
		Key    string `json:"k"`
		Status string `json:"s"`
	}
	if json.Unmarshal(line, &r) != nil || len(r.Key) != 32 {
		return key, "", false
	}
	if _, err := hex.Decode(key[:], []byte(r.Key)); err != nil {
		return key, "", false
	}
	return key, r.Status, true
}

// line reads the record of a span.
func (x *index) line(sp span) (record, error) {
	line := make([]byte, sp.length)
	var r record
	if _, err := x.files[sp.file].ReadAt(line, sp.offset); err != nil {
		return r, err
	}
	if r, ok := parseRecord(line); ok {
		return r, nil
	}
	return r, json.Unmarshal(line, &r)
}

// reuse reads the line of key and gives its outcome, unless a file the
// item depended on changed.
func (x *index) reuse(key []byte) (runtime.Reusable, bool) {
	sp, ok := x.lines[hashOf(key)]
	if !ok || !sp.ok {
		return runtime.Reusable{}, false
	}
	r, err := x.line(sp)
	if err != nil || changed(r.Deps) {
		return runtime.Reusable{}, false
	}
	re := runtime.Reusable{Status: runtime.Status(r.Status), Attempts: r.Attempts, Has: r.Has, Fallback: r.Fallback, Err: r.errorValue()}
	for _, d := range r.Deps {
		re.Deps = append(re.Deps, runtime.Dep{Path: d.Path, Size: d.Size, ModTime: time.Unix(0, d.ModTime)})
	}
	if r.Has {
		v, err := decodeValue(r.Result)
		if err != nil {
			return runtime.Reusable{}, false
		}
		re.Result, re.Encoded = v, r.Result
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
	idx := &index{lines: map[hashed]span{}}
	for range Keep {
		h, err := readHeader(s.Path(id))
		if err != nil {
			idx.close()
			return nil, err
		}
		if h.Version != version && !force {
			break
		}
		whole, err := idx.add(s.Path(id))
		if err != nil {
			idx.close()
			return nil, err
		}
		if id = h.Resumed; id == "" || whole {
			break
		}
		if _, err := os.Stat(s.Path(id)); err != nil {
			break
		}
	}
	return idx, nil
}
