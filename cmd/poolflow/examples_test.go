package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poolflow/poolflow/examples/http-check/fakeapi"
	"github.com/rogpeppe/go-internal/testscript"
)

// examplesDir is where the examples live, relative to this package.
const examplesDir = "../../examples"

// examplePipelines returns every examples/NAME/FILE.yaml, as
// "NAME/FILE.yaml".
func examplePipelines(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no examples found under %s", examplesDir)
	}
	for i, f := range files {
		files[i] = filepath.ToSlash(strings.TrimPrefix(f, examplesDir+string(filepath.Separator)))
	}
	return files
}

// TestExamples checks that every example pipeline, variants included,
// validates cleanly and dry-runs.
func TestExamples(t *testing.T) {
	for _, name := range examplePipelines(t) {
		file := filepath.Join(examplesDir, filepath.FromSlash(name))
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runMain("validate", file)
			if want := file + ": ok\n"; code != exitOK || stdout != want || stderr != "" {
				t.Errorf("validate: exit %d, stdout %q, stderr %q; want exit 0, stdout %q and no stderr", code, stdout, stderr, want)
			}
			code, _, stderr = runMain("run", "--dry-run", file)
			if code != exitOK || stderr != "" {
				t.Errorf("run --dry-run: exit %d, stderr %q; want exit 0 and no stderr", code, stderr)
			}
		})
	}
}

// runMain runs the command line in this process and returns what it did.
func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

var updateExamples = flag.Bool("update-examples", false, "rewrite the cmp files of testdata/examples from the actual output")

// TestExampleScripts runs every example for real, from a copy, with the
// scripts in testdata/examples asserting what each prints and its exit
// status.
func TestExampleScripts(t *testing.T) {
	examples, err := filepath.Abs(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(2 * time.Minute)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/examples",
		UpdateScripts:       *updateExamples,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Deadline:            deadline,
		Setup:               setupExampleEnv,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"example":   cmdExample(examples),
			"exitcode":  cmdExampleExitcode,
			"fakeapi":   cmdFakeAPI,
			"waitlines": cmdWaitlines,
		},
	})
}

// setupExampleEnv gives the example scripts a colourless environment and
// keeps the race detector from adding a second to every command's exit.
func setupExampleEnv(env *testscript.Env) error {
	env.Vars = slices.DeleteFunc(env.Vars, func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"}, name)
	})
	if race := env.Getenv("GORACE"); !strings.Contains(race, "atexit_sleep_ms") {
		env.Setenv("GORACE", strings.TrimSpace(race+" atexit_sleep_ms=10"))
	}
	return nil
}

// cmdExample copies an example folder into $WORK/examples/NAME, so that
// the script runs it with the very command line of its README (from
// $WORK, as from the repository root) and whatever it writes stays in
// $WORK:
//
//	example csv-dedupe
func cmdExample(examples string) func(*testscript.TestScript, bool, []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: example NAME")
		}
		src := filepath.Join(examples, args[0])
		if _, err := os.Stat(filepath.Join(src, "pipeline.yaml")); err != nil {
			ts.Fatalf("no example %q: %v", args[0], err)
		}
		ts.Check(os.CopyFS(ts.MkAbs(filepath.Join("examples", args[0])), os.DirFS(src)))
	}
}

// cmdExampleExitcode runs a program like exec and checks its exit status;
// with -within it also checks that the program ended in time:
//
//	exitcode 1 poolflow run examples/task-errors/pipeline.yaml
//	exitcode -within 2s 1 poolflow run examples/fail-fast/pipeline.yaml
func cmdExampleExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	var within time.Duration
	if len(args) > 1 && args[0] == "-within" {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		within, args = d, args[2:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode [-within DURATION] N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	start := time.Now()
	err = ts.Exec(args[1], args[2:]...)
	took := time.Since(start)
	if got := exampleExitStatus(ts, args[1], err); got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
	if within > 0 && took > within {
		ts.Fatalf("%s took %s, want at most %s", args[1], took.Round(time.Millisecond), within)
	}
}

// exampleExitStatus is the exit status that err from ts.Exec stands for.
func exampleExitStatus(ts *testscript.TestScript, program string, err error) int {
	if err == nil {
		return 0
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		ts.Fatalf("%s: %v", program, err)
	}
	return exit.ExitCode()
}

// cmdFakeAPI serves the http-check example's fake API for the rest of the
// script and puts its URL in $FAKEAPI:
//
//	fakeapi
//	exec poolflow run examples/http-check/pipeline.yaml --param base=$FAKEAPI
func cmdFakeAPI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakeapi")
	}
	srv := httptest.NewServer(fakeapi.Handler())
	ts.Defer(srv.Close)
	ts.Setenv("FAKEAPI", srv.URL)
}

// TestExamplesAreCovered checks that the scripts run every example
// pipeline, and that every example has a README that tells how to run it
// from the repository root.
func TestExamplesAreCovered(t *testing.T) {
	scripts, err := filepath.Glob("testdata/examples/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var runs strings.Builder
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "poolflow run ") && !strings.Contains(line, "--dry-run") {
				fmt.Fprintln(&runs, line)
			}
		}
	}
	for _, name := range examplePipelines(t) {
		if !regexp.MustCompile(`\bexamples/` + regexp.QuoteMeta(name) + `\b`).MatchString(runs.String()) {
			t.Errorf("no script in testdata/examples runs examples/%s", name)
		}
	}
	readmes, err := filepath.Glob(filepath.Join(examplesDir, "*", "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range readmes {
		checkExampleReadme(t, filepath.Dir(p))
	}
}

// exampleReadmeCommand matches the commands a README gives for running a pipeline.
var exampleReadmeCommand = regexp.MustCompile(`go run \./cmd/poolflow (?:run|validate)[^\n]*? (examples/[^ \n]+\.yaml)`)

// checkExampleReadme checks that dir has a README.md naming at least one command
// to run from the repository root, and that each names a file that exists.
func checkExampleReadme(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(dir), err)
		return
	}
	cmds := exampleReadmeCommand.FindAllStringSubmatch(string(b), -1)
	if len(cmds) == 0 {
		t.Errorf("%s/README.md gives no `go run ./cmd/poolflow run examples/...` command", filepath.Base(dir))
	}
	for _, m := range cmds {
		if _, err := os.Stat(filepath.Join(examplesDir, "..", filepath.FromSlash(m[1]))); err != nil {
			t.Errorf("%s/README.md: %q names a missing file", filepath.Base(dir), m[0])
		}
	}
}

// TestExampleTests runs the tests: of every example's pipeline.yaml with
// poolflow test: each example has at least two (a good run and a failure
// its policy handles, spec.md §11), and they pass.
func TestExampleTests(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(examplesDir, "*", "pipeline.yaml"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no example pipelines: %v", err)
	}
	for _, file := range dirs {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runMain("test", file)
			if passed := strings.Count(stdout, "PASS "); code != exitOK || passed < 2 || strings.Contains(stdout, "FAIL ") || stderr != "" {
				t.Errorf("poolflow test: exit %d, %d passed, stderr %q; want exit 0 and at least 2 passed:\n%s", code, passed, stderr, stdout)
			}
		})
	}
}
