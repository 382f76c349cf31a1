package dsl

import (
	"fmt"
	"math"
)

// The structural maxima of the format (spec.md §6.7). They are fixed, not
// settable: each bounds what loading a file, or starting a run, may cost,
// so that a hostile or generated file is rejected with an error at the key
// instead of exhausting memory or time. Each is far above what a pipeline
// written by people needs.
const (
	// MaxFileSize is the most bytes a pipeline file may have. Parsing YAML
	// into nodes takes up to about a hundred times the file's size.
	MaxFileSize = 4 << 20
	// MaxNodes is the most YAML nodes (keys, values, list elements) a file
	// may have, aliases not expanded; the alias budget bounds those.
	MaxNodes = 500_000
	// MaxParams is the most parameters params may declare: each becomes a
	// field of the struct expressions see as params.
	MaxParams = 10_000
	// MaxSteps is the most steps one stage may have.
	MaxSteps = 50_000
	// MaxWorkers is the most workers a run may have (workers, --workers).
	// Each is a goroutine with its own evaluator; past a few thousand,
	// more run nothing faster.
	MaxWorkers = 10_000
	// MaxWindow is the most items a run may hold in flight (window): read
	// from the source and not yet delivered, each with its result.
	MaxWindow = 1_000_000
	// MaxAttempts is the most attempts a retry may make
	// (on_error.retry.attempts); a report keeps every attempt's error.
	MaxAttempts = 1_000
	// MaxDiagnostics is how many errors, and how many warnings, loading a
	// file reports; one more line says how many more there are.
	MaxDiagnostics = 100
	// MaxRangeItems is the most items a range may yield: an item's index
	// is an int.
	MaxRangeItems = math.MaxInt
)

// intMaxima are the maxima of integer keys, by key, with the hint that
// says why: the decoder of IntNode reads them through the max tag.
var intMaxima = map[string]struct {
	max  int
	hint string
}{
	"workers":  {MaxWorkers, "each worker is a goroutine with its own evaluator; a machine does not run more at once"},
	"window":   {MaxWindow, "window bounds the items held in memory at once; the default is 32 per worker"},
	"attempts": {MaxAttempts, "a run keeps the error of every attempt; retry for longer with a longer delay instead"},
}

// maxHint is the hint of an integer key past its maximum.
func maxHint(key string) string {
	if m, ok := intMaxima[key]; ok {
		return m.hint
	}
	return ""
}

// structure is the maxima the decoder checks a file's structure against:
// the constants above, smaller in tests.
type structure struct{ nodes, params, steps int }

var fileStructure = structure{nodes: MaxNodes, params: MaxParams, steps: MaxSteps}

// ErrTooLarge is the error of a pipeline file over MaxFileSize.
var ErrTooLarge = fmt.Errorf("pipeline file is larger than %s", FormatBytes(MaxFileSize))
