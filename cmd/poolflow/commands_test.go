package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/poolflow/poolflow/builtins"
)

// TestBuiltinsListsEveryBuiltin checks that `poolflow builtins` names every
// builtin of the registry, with its signature and doc line.
func TestBuiltinsListsEveryBuiltin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"builtins"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, b := range builtins.All() {
		if !strings.Contains(out, b.Signature) || !strings.Contains(out, b.Summary()) {
			t.Errorf("poolflow builtins does not list %s (%q)", b.Signature, b.Summary())
		}
	}
}
