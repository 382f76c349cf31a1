package builtins

import (
	"context"
	"testing"
)

func TestDirectCallArguments(t *testing.T) {
	read, _ := Lookup("read_file")
	for _, c := range []struct {
		name string
		args []any
		err  string
	}{
		{"no context", nil, "read_file: missing context argument"},
		{"not a context", []any{"a.txt"}, "read_file: first argument is string, want context.Context"},
		{"nil context", []any{nil, "/nonexistent/a.txt"}, `read_file: "/nonexistent/a.txt": no such file or directory`},
		{"context only", []any{context.Background()}, "read_file: want 1 argument, got 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := read.Fn(c.args...)
			checkResult(t, got, err, nil, c.err)
		})
	}
}
