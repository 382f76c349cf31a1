package dsl_test

import (
	"os"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// TestSpecListsEveryKey checks that spec.md names every key the parser
// accepts, as `GROUP.KEY`, so the reference cannot fall behind the code.
func TestSpecListsEveryKey(t *testing.T) {
	spec, err := os.ReadFile("../spec.md")
	if err != nil {
		t.Fatal(err)
	}
	paths := dsl.KeyPaths()
	if len(paths) < 40 {
		t.Fatalf("KeyPaths gave only %d keys: %v", len(paths), paths)
	}
	for _, path := range paths {
		if !strings.Contains(string(spec), "`"+path+"`") {
			t.Errorf("spec.md does not document the key `%s`", path)
		}
	}
}
