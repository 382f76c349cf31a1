package builtins

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGlob(t *testing.T) {
	files := map[string]string{"a/x.csv": "", "a-b/x.csv": "", "a/y.csv": "", "a/z.txt": "", "top.csv": ""}
	runCases(t, "glob", []callCase{
		{name: "one directory", files: files, args: []any{"a/*.csv"}, want: []string{"a/x.csv", "a/y.csv"}},
		{name: "sorted across directories", files: files, args: []any{"*/x.csv"}, want: []string{"a-b/x.csv", "a/x.csv"}},
		{name: "dot prefix", files: files, args: []any{"./*.csv"}, want: []string{"top.csv"}},
		{name: "no match", files: files, args: []any{"*.json"}, want: []string{}},
		{name: "bad pattern", args: []any{"[a"}, err: `glob: syntax error in pattern "[a"`},
	})
}

func TestGlobAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.csv": "", "b.csv": ""})
	got, err := callIn(t.Context(), &Scope{Dir: "/elsewhere"}, "glob", filepath.Join(dir, "*.csv"))
	checkResult(t, got, err, []string{filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")}, "")
}

func TestGlobWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d/a.csv": ""})
	t.Chdir(dir)
	got, err := callIn(t.Context(), &Scope{}, "glob", "d/*.csv")
	checkResult(t, got, err, []string{"d/a.csv"}, "")
	if _, err := os.Stat("d/a.csv"); err != nil {
		t.Fatal(err)
	}
}
