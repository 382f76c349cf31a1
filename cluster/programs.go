package cluster

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/poolflow/poolflow/dsl"
)

// shellWords are sh words that name no program to look for.
var shellWords = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "fi": true, "for": true,
	"while": true, "until": true, "do": true, "done": true, "case": true, "esac": true, "in": true, "function": true,
	"cd": true, "echo": true, "printf": true, "test": true, "[": true, "exit": true, "export": true, "set": true,
	"unset": true, "true": true, "false": true, "read": true, "exec": true, "eval": true, "return": true, "shift": true,
	":": true, ".": true, "local": true, "trap": true, "wait": true, "umask": true, "command": true, "type": true}

var programWord = regexp.MustCompile(`^[A-Za-z0-9_./+-]+$`)

// Programs lists the programs the plan's steps start: each exec step's
// program and the first word of each sh command, when they are written
// literally (a program chosen by an expression can only be found when it
// runs), and /bin/sh for sh steps.
func Programs(plan *dsl.Plan) []string {
	var out []string
	for _, st := range plan.Stages() {
		for _, step := range st.Steps {
			switch {
			case step.Kind == dsl.StepExec && len(step.Argv) > 0 && step.Argv[0].IsLiteral():
				out = append(out, step.Argv[0].Literal())
			case step.Kind == dsl.StepSh && step.Command != nil:
				out = append(out, "/bin/sh")
				if w := firstWord(step.Command); w != "" {
					out = append(out, w)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// firstWord is the program an sh command starts with, or "".
func firstWord(t *dsl.Template) string {
	if len(t.Parts) == 0 || t.Parts[0].Expr != nil {
		return ""
	}
	fields := strings.Fields(t.Parts[0].Lit)
	if len(fields) == 0 || (len(t.Parts) > 1 && len(fields) == 1 && !strings.HasSuffix(t.Parts[0].Lit, " ")) {
		return "" // the word goes on into an interpolation
	}
	w := fields[0]
	if shellWords[w] || strings.Contains(w, "=") || !programWord.MatchString(w) {
		return ""
	}
	return w
}

// MissingPrograms lists the programs of Programs that look cannot find,
// a relative path resolved against the plan's folder; look nil is
// exec.LookPath.
func MissingPrograms(plan *dsl.Plan, look func(string) (string, error)) []string {
	if look == nil {
		look = exec.LookPath
	}
	var missing []string
	for _, prog := range Programs(plan) {
		path := prog
		if filepath.Base(prog) != prog && !filepath.IsAbs(prog) {
			path = filepath.Join(plan.Dir, prog)
		}
		if _, err := look(path); err != nil {
			missing = append(missing, prog)
		}
	}
	return missing
}

// refusal says why a worker cannot run a pipeline.
func refusal(missing []string) string {
	quoted := make([]string, len(missing))
	for i, m := range missing {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	if len(missing) == 1 {
		return "program " + quoted[0] + " is not on PATH"
	}
	return "programs " + strings.Join(quoted, ", ") + " are not on PATH"
}
