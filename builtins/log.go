package builtins

import (
	"fmt"
	"strings"
)

// logFn implements log(values...): it joins the values with spaces and
// sends the line to the Scope's log, prefixed "[index] " inside an item.
func logFn(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("log", args, -1)
	if err != nil {
		return nil, err
	}
	s := ScopeFrom(ctx)
	s.logLine(logPrefix(s.Index) + joinValues(rest))
	return nil, nil
}

// logPrefix is "[index] " for an item and "" otherwise.
func logPrefix(index int) string {
	if index < 0 {
		return ""
	}
	return fmt.Sprintf("[%d] ", index)
}

// joinValues joins values with spaces: strings as they are, the rest as
// fmt's %v prints them.
func joinValues(values []any) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(' ')
		}
		if s, ok := v.(string); ok {
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, "%v", v)
		}
	}
	return b.String()
}
