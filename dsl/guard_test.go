package dsl

import (
	"errors"
	"reflect"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// guardEnv is an environment for the guard tests: lists of several
// element types, a struct, a pointer and a value of unknown type.
func guardEnv() map[string]any {
	type row struct{ ID int }
	return map[string]any{"ints": []int{3, 1, 2}, "rows": []row{{1}, {2}}, "ptr": &row{ID: 7},
		"words": []string{"b", "a", "b"}, "mixed": []any{1, "x", nil, 2.5}}
}

// guardedCases are expressions with closures of every kind, and some the
// optimizer rewrites.
var guardedCases = []string{
	`map(ints, # * 2)`, `filter(ints, # > 1)`, `reduce(ints, #acc + #, 0)`, `reduce(ints, #acc + # % 7, 1)`,
	`all(ints, # > 0)`, `any(ints, # > 2)`, `none(ints, # > 5)`, `one(ints, # == 1)`,
	`count(ints, # > 1)`, `sum(ints, # * 2)`, `sum(map(ints, # * 2))`, `len(filter(ints, # > 1))`,
	`filter(ints, # > 1)[0]`, `filter(ints, # > 1)[-1]`, `map(filter(ints, # > 1), # + 1)`,
	`find(ints, # > 1)`, `findIndex(ints, # > 1)`, `findLast(ints, # > 1)`, `findLastIndex(ints, # > 1)`,
	`sortBy(ints, -#)`, `sortBy(words, #, "desc")`, `groupBy(words, #)`, `groupBy(ints, # % 2)[1]`,
	`map(rows, .ID)`, `map(rows, #.ID + #index)`, `filter(filter(ints, # > 1), # < 3)`,
	`all(ints, # > 0) && all(ints, # < 9)`, `sum(1..10, # * 2)`, `reduce(1..10, # + #acc)`,
	`map(ints, map(words, # + "!"))`, `map(ints, [#, words[0]])`, `let x = 2; map(ints, # * x)`,
	`map(mixed, # ?? "none")`, `map([ptr], #.ID)`, `ptr.ID + len(map(ints, #))`, `filter(mixed, # != nil)`,
	`map(ints, 1 / (# - 1))`, `map(mixed, # + 1)`, `len(ints) > 2 ? map(ints, #) : []`, `1 + 2`,
	`map(ints, { let y = # * 2; y + 1 })`, `map(map(ints, [#]), #[0] + 1)`,
	`len(1..5)`, `1..0`, `-2..2`, `map(1..3, # * 2)`, `1..(ints[0])`, `(1..3)[1]`, `1..mixed[3]`, `1..mixed[1]`,
	`2 in 1..3`, `sum(1..ints[0])`, `map(ints, len(1..#))`,
}

// compileWith compiles code as compileExpr does, without or with guards.
func compileWith(t *testing.T, code string, guard bool) (*vm.Program, error) {
	t.Helper()
	opts := []expr.Option{expr.Env(guardEnv())}
	if guard {
		return compileGuarded(code, opts...)
	}
	return expr.Compile(code, opts...)
}

// TestGuardedProgramsAgree checks that a guard changes nothing a program
// gives: the same value, the same error, the same type, the same checker
// messages; and that it sees every closure body's value.
func TestGuardedProgramsAgree(t *testing.T) {
	for _, code := range guardedCases {
		t.Run(code, func(t *testing.T) {
			plain, err := compileWith(t, code, false)
			if err != nil {
				t.Fatal(err)
			}
			guarded, err := compileWith(t, code, true)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := guarded.Node().Type(), plain.Node().Type(); got != want {
				t.Errorf("type = %v, want %v", got, want)
			}
			want, wantErr := vm.Run(plain, guardEnv())
			var seen int
			env := guardEnv()
			env[GuardVar] = Guard(func(v any) any { seen++; return v })
			env[RangerVar] = Ranger(func(from, to any) any { seen++; return unguardedRange(from, to) })
			got, gotErr := vm.Run(guarded, env)
			if !reflect.DeepEqual(got, want) || errText(gotErr) != errText(wantErr) {
				t.Errorf("got %#v, %v\nwant %#v, %v", got, gotErr, want, wantErr)
			}
			// The optimizer computes three of them at compile time, and still does.
			noLoop := code == `sum(1..10, # * 2)` || code == `reduce(1..10, # + #acc)` || code == `1 + 2` || code == `2 in 1..3`
			if noLoop != (seen == 0) {
				t.Errorf("the guard saw %d closure bodies", seen)
			}
			if unguarded, err := vm.Run(guarded, guardEnv()); !reflect.DeepEqual(unguarded, want) || errText(err) != errText(wantErr) {
				t.Errorf("without a guard: got %#v, %v, want %#v, %v", unguarded, err, want, wantErr)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestGuardedProgramsReportTheSameCompileErrors(t *testing.T) {
	for _, code := range []string{`map(ints, # + "a")`, `filter(ints, #)`, `all(ints, # + 1)`,
		`map(rows, .ID + "x")`, `map(rows, .Nope)`, `map(filter(rows, .ID > 1), .ID + "x")`} {
		_, want := compileWith(t, code, false)
		_, got := compileWith(t, code, true)
		if want == nil || errText(got) != errText(want) {
			t.Errorf("%s: error %q, want %q", code, errText(got), errText(want))
		}
	}
}

func TestGuardSeesTheBodyValues(t *testing.T) {
	p, err := compileWith(t, `map(ints, filter(words, # != "a"))`, true)
	if err != nil {
		t.Fatal(err)
	}
	var seen []any
	env := guardEnv()
	env[GuardVar] = Guard(func(v any) any { seen = append(seen, v); return v })
	if _, err := vm.Run(p, env); err != nil {
		t.Fatal(err)
	}
	var want []any
	for range 3 { // for each of ints: filter's three conditions, then map's value
		want = append(want, true, false, true, []any{"b", "b"})
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("the guard saw %#v, want %#v", seen, want)
	}
}

// TestGuardStopsAtTheBuiltin checks that an error the guard panics with
// ends the evaluation and points at the builtin whose closure ran, in the
// pipeline file.
func TestGuardStopsAtTheBuiltin(t *testing.T) {
	src := "version: 1\nname: t\nitems: [1]\nmap:\n  steps:\n    - expr: 'count(filter(1..5, # > item), # > 0)'\n"
	plan, diags := Load("p.yaml", []byte(src), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	stop := errors.New("stop")
	calls := 0
	env := map[string]any{"item": 0}
	env[GuardVar] = Guard(func(v any) any {
		if calls++; calls == 2 {
			panic(stop)
		}
		return v
	})
	prog := plan.Map.Steps[0].Expr
	_, err := prog.Run(nil, env)
	if !errors.Is(err, stop) {
		t.Fatalf("error = %v, want the guard's", err)
	}
	at, sub := prog.Failing(err)
	if pos, span := at.From, at.Width(); pos.Line != 6 || pos.Col != 20 || sub != "filter(1..5, # > item)" || span != 6 {
		t.Errorf("error at %d:%d, %q, span %d; want 6:20, filter(1..5, # > item), 6", pos.Line, pos.Col, sub, span)
	}
}
