package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the cmp files of testdata/script from the actual output")

// fallbackTimeout bounds the scripts when go test runs without -timeout.
const fallbackTimeout = 2 * time.Minute

// TestMain makes this test binary double as the poolflow command: scripts
// that call `poolflow` re-execute it, and it runs Main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"poolflow": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
		// poolflow-status FILE ARGS... runs poolflow ARGS and also writes its
		// exit code to FILE: a background command's status is otherwise
		// lost to the script (wait only tells zero from non-zero).
		"poolflow-status": func() {
			code := Main(os.Args[2:], os.Stdout, os.Stderr)
			if err := os.WriteFile(os.Args[1], []byte(strconv.Itoa(code)+"\n"), 0o666); err != nil {
				os.Exit(99)
			}
			os.Exit(code)
		},
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Run with
// -update to rewrite the expected files inside them.
func TestScripts(t *testing.T) {
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(fallbackTimeout)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Deadline:            deadline,
		Setup:               setupEnv,
		Cmds:                scriptCommands(),
	})
}

// cmdExitcode runs a program like exec and checks its exit status, which
// `! exec` cannot tell apart from any other failure:
//
//	exitcode 2 poolflow validate bad.yaml
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// setupEnv gives every script the same environment whatever the developer's
// shell holds. testscript starts from an almost empty environment already;
// this also drops the variables that steer colour, should they ever be
// passed on, so that only --color and a script's own `env` decide it, and
// keeps the race detector from slowing every command down.
func setupEnv(env *testscript.Env) error {
	env.Vars = slices.DeleteFunc(env.Vars, func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(colourVars, name)
	})
	// Under -race every process sleeps a second at exit unless told
	// otherwise; the scripts start a hundred of them.
	if race := env.Getenv("GORACE"); !strings.Contains(race, "atexit_sleep_ms") {
		env.Setenv("GORACE", strings.TrimSpace(race+" atexit_sleep_ms=10"))
	}
	// REPO is the repository root, for scripts that compare with files
	// checked in there, such as the schema.
	repo, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	env.Setenv("REPO", repo)
	return nil
}

// colourVars are the environment variables that turn colour on or off.
var colourVars = []string{"NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"}
