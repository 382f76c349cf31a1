package builtins

import (
	"fmt"

	"github.com/poolflow/poolflow/files"
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
	matches, err := files.Glob(s.Dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("glob: %w", err)
	}
	if len(matches) == 0 {
		s.warn(fmt.Sprintf("glob %q matched nothing", pattern))
	}
	return matches, nil
}
