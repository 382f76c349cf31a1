package builtins

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/poolflow/poolflow/files"
)

// callCase is one call of a builtin's Fn in a fresh temporary directory.
type callCase struct {
	name  string
	files map[string]string // written under the directory before the call
	args  []any             // without the context, which runCases adds
	want  any
	err   string // the whole error text, $DIR standing for the directory; "" for no error
}

// runCases calls builtin fn for each case, with a Scope whose Dir is the
// case's temporary directory, and compares the whole result and error.
func runCases(t *testing.T, fn string, cases []callCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			got, err := callIn(t.Context(), &Scope{Dir: dir, Index: -1}, fn, c.args...)
			checkResult(t, got, err, c.want, strings.ReplaceAll(c.err, "$DIR", files.Display(dir)))
		})
	}
}

// callIn calls builtin fn's Fn directly, adding a context carrying s when
// the builtin takes one.
func callIn(ctx context.Context, s *Scope, fn string, args ...any) (any, error) {
	b, ok := Lookup(fn)
	if !ok {
		panic("no builtin " + fn)
	}
	if takesContext(b) {
		args = append([]any{WithScope(ctx, s)}, args...)
	}
	return b.Fn(args...)
}

// takesContext reports whether b's first parameter is a context.Context.
func takesContext(b Builtin) bool {
	t := reflect.TypeOf(b.Types[0]).Elem()
	return t.NumIn() > 0 && t.In(0) == reflect.TypeFor[context.Context]()
}

// checkResult compares a result and error with the wanted ones.
func checkResult(t *testing.T, got any, err error, want any, wantErr string) {
	t.Helper()
	if errText(err) != wantErr {
		t.Fatalf("error:\n got %q\nwant %q", errText(err), wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("result:\n got %#v\nwant %#v", got, want)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// writeFiles creates each file under dir, with its parent directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readBack returns the contents of dir/name.
func readBack(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compile compiles code with Options and an environment holding the
// context variable, as the runtime does.
func compile(code string) (*vm.Program, error) {
	env := map[string]any{ContextVar: context.Background()}
	return expr.Compile(code, append(Options(), expr.Env(env))...)
}

// eval compiles and runs code with a context carrying s.
func eval(t *testing.T, s *Scope, code string) (any, error) {
	t.Helper()
	p, err := compile(code)
	if err != nil {
		t.Fatalf("compile %s: %v", code, err)
	}
	return expr.Run(p, map[string]any{ContextVar: WithScope(t.Context(), s)})
}
