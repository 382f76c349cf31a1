package runtime

import (
	"context"
	"github.com/poolflow/poolflow/dsl"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/expr-lang/expr/file"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/table"
)

func TestKindOf(t *testing.T) {
	limit := &LimitError{Key: "limits.memory", Limit: 1 << 20}
	wrapped := &file.Error{Message: limit.Error(), Prev: limit}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		run  context.Context
		err  error
		want Kind
	}{
		{"a limit", context.Background(), wrapped, KindLimit},
		{"a limit as the run ends", done, wrapped, KindCancelled},
		{"a step's timeout", context.Background(), &file.Error{Prev: context.DeadlineExceeded}, KindTimeout},
		{"an expression's own error", context.Background(), &file.Error{Message: "unknown name x"}, KindExpr},
		{"a panic", context.Background(), &builtins.PanicError{Func: "f"}, KindPanic},
		{"a cell that does not fit", context.Background(), &file.Error{Prev: &table.DataError{File: "a.csv", Line: 2, Column: 1, Why: "x"}}, KindData},
		{"a cell as the run ends", done, &table.DataError{File: "a.csv"}, KindCancelled},
	}
	for _, tt := range tests {
		if got := kindOf(tt.run, tt.err); got != tt.want {
			t.Errorf("%s: kindOf = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestKindsInTheWireShape keeps the kinds the JSON schemas allow (the enum
// of dsl.ErrorValue.Kind) those of spec.md §7, as this package declares
// them.
func TestKindsInTheWireShape(t *testing.T) {
	f, _ := reflect.TypeOf(dsl.ErrorValue{}).FieldByName("Kind")
	var want []string
	for _, k := range Kinds {
		want = append(want, string(k))
	}
	if got := strings.Split(f.Tag.Get("enum"), ","); !slices.Equal(got, want) {
		t.Errorf("ErrorValue.Kind's enum is %q, want %q", got, want)
	}
}

// Issue 10, point 3: raw Go messages of expr's VM read as the pipeline.
func TestPlainer(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"invalid operation: int(17174x0000)", `int: "17174x0000" is not an integer`},
		{"invalid operation: float(x)", `float: "x" is not a number`},
		{"interface conversion: interface {} is nil, not int", "got nil where an integer was expected"},
		{"interface conversion: interface {} is string, not []interface {}", "got a string where a list was expected"},
		{"cannot fetch name from map", "cannot fetch name from map"},
	} {
		err := plainer(&file.Error{Message: c.raw})
		if got := MessageOf(err); got != c.want {
			t.Errorf("%q: %q, want %q", c.raw, got, c.want)
		}
	}
}
