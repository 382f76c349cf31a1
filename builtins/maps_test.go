package builtins

import "testing"

func TestPut(t *testing.T) {
	m := map[string]any{"a": 1}
	runCases(t, "put", []callCase{
		{name: "adds", args: []any{m, "b", 2}, want: map[string]any{"a": 1, "b": 2}},
		{name: "replaces", args: []any{m, "a", 3}, want: map[string]any{"a": 3}},
		{name: "nil map", args: []any{nil, "a", 1}, want: map[string]any{"a": 1}},
		{name: "not a map", args: []any{[]any{1}, "a", 1}, err: "put: want a map, got []interface {}"},
	})
	if len(m) != 1 || m["a"] != 1 {
		t.Errorf("put changed its argument: %v", m)
	}
}
