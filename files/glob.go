package files

import (
	"fmt"
	"path/filepath"
	"slices"
)

// Glob returns the paths matching pattern, sorted. A relative pattern is
// matched in dir and gives paths relative to dir, as if the process ran
// there; an absolute one gives absolute paths.
func Glob(dir, pattern string) ([]string, error) {
	matches, err := filepath.Glob(Resolve(dir, pattern))
	if err != nil {
		return nil, fmt.Errorf("%w %q", err, pattern)
	}
	if dir != "" && !filepath.IsAbs(pattern) {
		for i, m := range matches {
			rel, err := filepath.Rel(dir, m)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", pattern, err)
			}
			matches[i] = rel
		}
	}
	slices.Sort(matches)
	if matches == nil {
		matches = []string{}
	}
	return matches, nil
}
