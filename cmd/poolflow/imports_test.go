package main

import (
	"go/build"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allowedImports is the package graph README's "How it is built" draws:
// each package of poolflow and the others of poolflow it may import. The
// arrows go one way, so that runtime holds no renderer and dsl is a
// compiler.
var allowedImports = map[string][]string{
	"files":        {},
	"proctree":     {},
	"table":        {},
	"dsl":          {"files", "table"},
	"builtins":     {"files", "table"},
	"runtime":      {"dsl", "builtins", "files", "proctree", "table"},
	"pipetest":     {"dsl", "runtime"},
	"present":      {"dsl", "runtime", "pipetest", "files"},
	"journal":      {"dsl", "runtime", "builtins", "files", "table"},
	"cluster":      {"dsl", "runtime", "builtins", "journal"},
	"cmd/poolflow": {"dsl", "builtins", "runtime", "present", "journal", "pipetest", "files", "proctree", "cluster"},
}

// TestImportGraph checks each package's own imports (not its tests')
// against allowedImports.
func TestImportGraph(t *testing.T) {
	const module = "github.com/poolflow/poolflow/"
	for pkg, allowed := range allowedImports {
		p, err := build.Default.ImportDir(filepath.Join(repoRoot(), pkg), 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range p.Imports {
			if dep, ok := strings.CutPrefix(imp, module); ok && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s, which the package graph does not allow", pkg, dep)
			}
		}
	}
}
