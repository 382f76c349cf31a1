package builtins

import (
	"fmt"
	"path/filepath"
	"slices"
)

// glob implements glob(pattern): the sorted paths matching pattern. A
// relative pattern gives relative matches, as if the process ran in the
// Scope's directory.
func glob(args ...any) (any, error) {
	ctx, pattern, err := ctxString("glob", args)
	if err != nil {
		return nil, err
	}
	s := ScopeFrom(ctx)
	matches, err := filepath.Glob(s.Path(pattern))
	if err != nil {
		return nil, fmt.Errorf("glob: %w %q", err, pattern)
	}
	if s.Dir != "" && !filepath.IsAbs(pattern) {
		if err := relativize(s.Dir, matches); err != nil {
			return nil, fmt.Errorf("glob: %q: %w", pattern, err)
		}
	}
	slices.Sort(matches)
	return append([]string{}, matches...), nil
}

// relativize rewrites each path in paths relative to dir, in place.
func relativize(dir string, paths []string) error {
	for i, p := range paths {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		paths[i] = rel
	}
	return nil
}
