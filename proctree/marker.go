package proctree

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
)

// MarkerVar is the environment variable every command runs with. Its value
// names the command: this program's prefix, then a number. When the
// program itself runs inside a command of another poolflow, the outer
// value comes first, then a slash, so that the outer one still recognises
// every process below it.
const MarkerVar = "POOLFLOW_STEP"

// prefix is this program's part of every marker: the outer marker, if any,
// a random identifier and a dot. It is fixed for the life of the program.
var prefix = newPrefix(os.Getenv(MarkerVar))

// lastMarker numbers the commands of this program.
var lastMarker atomic.Uint64

func newPrefix(outer string) string {
	id := strconv.FormatUint(rand.Uint64(), 16)
	if outer != "" {
		return outer + "/" + id + "."
	}
	return id + "."
}

// newMarker is the value of MarkerVar for a new command.
func newMarker() string {
	return prefix + strconv.FormatUint(lastMarker.Add(1), 10)
}

// belongsTo reports whether a process whose MarkerVar is value came from
// the command marked marker, or from a command nested inside it.
func belongsTo(value, marker string) bool {
	return value == marker || strings.HasPrefix(value, marker+"/")
}

// environ is the environment of a command: this program's, with PWD set to
// dir as os/exec would set it, and the marker last so that it wins over an
// inherited one.
func environ(dir, marker string) []string {
	env := os.Environ()
	if dir != "" {
		if pwd, err := filepath.Abs(dir); err == nil {
			env = append(env, "PWD="+pwd)
		}
	}
	return append(env, MarkerVar+"="+marker)
}

// markerIn finds MarkerVar's value in an environment block as
// /proc/PID/environ holds it: NUL-separated NAME=VALUE entries.
func markerIn(block []byte) (string, bool) {
	name := []byte(MarkerVar + "=")
	for entry := range bytes.SplitSeq(block, []byte{0}) {
		if v, ok := bytes.CutPrefix(entry, name); ok {
			return string(v), true
		}
	}
	return "", false
}
