package dsl_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzLoad loads arbitrary files, seeded from the examples and the golden
// files. Whatever the input, Load must not panic; every diagnostic must
// point at a line and column of the file (1-based; lines counted as YAML
// counts them) and have a code and a message; and loading the same input
// twice must say the same thing.
func FuzzLoad(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	opts := dsl.Options{
		Functions: builtins.Options(),
		Workers:   2,
		Workdir:   f.TempDir(),
		LookPath:  func(string) (string, error) { return "", errors.New("not found") },
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		first, diags := loadAndRender(text, opts)
		lines := yamlLines(text)
		for _, d := range diags {
			if d.Pos.Line < 1 || d.Pos.Col < 1 || d.Pos.Line > lines || d.Message == "" || d.Code == "" {
				t.Errorf("bad diagnostic %#v in a file of %d lines", d, lines)
			}
		}
		if second, _ := loadAndRender(text, opts); second != first {
			t.Errorf("two loads differ:\n%s\n----\n%s", first, second)
		}
	})
}

// yamlLines counts the lines of text as yaml.v3 does, whose positions the
// diagnostics carry: it breaks lines at \n, \r\n, a lone \r, U+0085, U+2028
// and U+2029.
func yamlLines(text []byte) int {
	s := strings.ReplaceAll(string(text), "\r\n", "\n")
	return 1 + strings.Count(s, "\n") + strings.Count(s, "\r") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
}

// loadAndRender loads text and renders what Load says: the diagnostics and,
// when it gives one, the plan in words.
func loadAndRender(text []byte, opts dsl.Options) (string, dsl.Diagnostics) {
	plan, diags := dsl.Load("pipeline.yaml", text, opts)
	var b bytes.Buffer
	for _, d := range diags {
		present.Diagnostic(&b, d, text, present.Style{})
	}
	if plan != nil {
		present.Plan(&b, plan, "(not counted)")
	}
	return b.String(), diags
}

// fuzzSeeds returns every examples/**/pipeline.yaml and the pipeline.yaml
// section of every testdata/*/*.txtar.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	err := filepath.WalkDir("../examples", func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Name() == "pipeline.yaml" {
			text, err := os.ReadFile(path)
			seeds = append(seeds, text)
			return err
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	archives, _ := filepath.Glob("testdata/*/*.txtar")
	for _, file := range archives {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, []byte(section(ar, "pipeline.yaml")))
	}
	if len(seeds) < 2 || !strings.Contains(string(seeds[0]), "version") {
		f.Fatalf("found only %d seeds", len(seeds))
	}
	return seeds
}
