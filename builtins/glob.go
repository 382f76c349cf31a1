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
	matches, err := files.Glob(ScopeFrom(ctx).Dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("glob: %w", err)
	}
	return matches, nil
}
