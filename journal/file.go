package journal

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// header is a journal's first line.
type header struct {
	Journal  int       `json:"poolflow_journal"`
	ID       string    `json:"id"`
	Pipeline string    `json:"pipeline"`
	File     string    `json:"file"`
	Version  string    `json:"version"`
	Started  time.Time `json:"started"`
	PID      int       `json:"pid"`
	Resumed  string    `json:"resumed,omitempty"` // the run this one resumed from
}

// record is the line of one item that finished.
type record struct {
	Index    int             `json:"i"`
	Key      string          `json:"k"`
	Status   string          `json:"s"`
	Attempts int             `json:"a"`
	Worker   int             `json:"w"`
	Text     string          `json:"x"`            // the item as text, at most 200 characters
	Times    []float64       `json:"ms,omitempty"` // started and duration, in ms from the run's start; none when reused
	Has      bool            `json:"h,omitempty"`
	Fallback bool            `json:"f,omitempty"`
	Reused   bool            `json:"u,omitempty"`
	Result   json.RawMessage `json:"r,omitempty"`
	Error    *errorJSON      `json:"e,omitempty"`
	Deps     []dep           `json:"d,omitempty"`
}

// dep is a file an item depended on: path, size, modification time in
// nanoseconds since 1970.
type dep struct {
	Path    string `json:"p"`
	Size    int64  `json:"n"`
	ModTime int64  `json:"t"`
}

// Totals count a run's items by how they ended.
type Totals struct {
	OK         int `json:"ok"`
	Skipped    int `json:"skipped"`
	Failed     int `json:"failed"`
	Cancelled  int `json:"cancelled"`
	NotStarted int `json:"not_started"`
	Reused     int `json:"reused"`
}

// trailer is a journal's last line, written when its run ends.
type trailer struct {
	End        bool      `json:"end"`
	Ended      time.Time `json:"ended"`
	Outcome    string    `json:"outcome"`
	ExitStatus int       `json:"exit_status"`
	Totals     Totals    `json:"totals"`
}

// keyHash is what a journal keeps of an item's key: the first 16 bytes of
// its SHA-256, written in hex.
func keyHash(key []byte) string { return string(appendKeyHash(nil, key)) }

// hashed is a key's hash as an index holds it.
type hashed [16]byte

func hashOf(key []byte) hashed {
	sum := sha256.Sum256(key)
	return hashed(sum[:16])
}

func appendKeyHash(b []byte, key []byte) []byte {
	h := hashOf(key)
	return hex.AppendEncode(b, h[:])
}

// lines reads a journal's lines, calling f with each whole line and its
// offset. It stops at a torn last line (no line break, or not a JSON object), as
// a run killed while writing leaves.
func lines(r io.Reader, f func(line []byte, offset int64) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var offset int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil // a last line without its break is torn: dropped
		}
		if err != nil {
			return err
		}
		if !wholeLine(line) {
			return nil
		}
		if err := f(line, offset); err != nil {
			return err
		}
		offset += int64(len(line))
	}
}

// wholeLine reports whether a line with its break looks like one line of
// JSON, as a file system that zeroes or garbles the tail of a file after a
// crash leaves it otherwise. Its readers then decode what they need of it,
// and drop a line they cannot.
func wholeLine(line []byte) bool {
	return len(line) >= 3 && line[0] == '{' && line[len(line)-2] == '}' && line[len(line)-1] == '\n'
}

// readHeader reads the header of the journal at path.
func readHeader(path string) (header, error) {
	f, err := os.Open(path)
	if err != nil {
		return header{}, err
	}
	defer f.Close()
	var h header
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &h)
	}
	if err == nil && h.Journal != 1 {
		err = fmt.Errorf("not a poolflow journal of version 1")
	}
	if err != nil {
		return header{}, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}
