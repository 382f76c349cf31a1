package dsl_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/files"
	"github.com/poolflow/poolflow/present"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*/*.txtar")

// TestGolden loads every testdata/{invalid,valid}/*.txtar: its pipeline.yaml
// (the other files sit beside it in a temporary folder) and compares what
// loading it says with the archive's want section: the rendered
// diagnostics, then, for a valid pipeline, its plan in words.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(file, ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := loadArchive(t, ar)
			wantValid := strings.Contains(file, "/valid/")
			if strings.Contains(got, ": error: ") == wantValid {
				t.Errorf("%s: want valid=%v, got:\n%s", file, wantValid, got)
			}
			if *update {
				setSection(ar, "want", got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := section(ar, "want"); got != want {
				t.Errorf("%s: got:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

// loadArchive writes the archive's files to a temporary folder, loads
// pipeline.yaml there and renders what loading says, with the folder's path
// replaced by $DIR.
func loadArchive(t *testing.T, ar *txtar.Archive) string {
	dir := t.TempDir()
	for _, f := range ar.Files {
		if f.Name == "want" {
			continue
		}
		path := filepath.Join(dir, f.Name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	name := "pipeline.yaml"
	text := []byte(section(ar, name))
	opts := dsl.Options{Functions: builtins.Options(), Workers: 2, Workdir: dir}
	plan, diags := dsl.Load(name, text, opts)
	var b bytes.Buffer
	for _, d := range diags {
		present.Diagnostic(&b, d, text, present.Style{})
	}
	if plan != nil {
		present.Plan(&b, plan, "(not counted)")
	}
	out := strings.ReplaceAll(b.String(), dir, "$DIR")
	return strings.ReplaceAll(out, files.Display(dir), "$DIR") // as the plan shows it, from wherever the tests run
}

func section(ar *txtar.Archive, name string) string {
	for _, f := range ar.Files {
		if f.Name == name {
			return string(f.Data)
		}
	}
	return ""
}

func setSection(ar *txtar.Archive, name, data string) {
	for i, f := range ar.Files {
		if f.Name == name {
			ar.Files[i].Data = []byte(data)
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(data)})
}
