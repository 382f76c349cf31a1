package runtime

import (
	"fmt"
	"strings"
)

// Callers keeps the frames of a Go stack that tell where a panic came
// from: it drops the goroutine header, the runtime's and the panic
// wrapper's frames, and everything from expr's VM on (poolflow's own
// plumbing), and writes each frame as "function (file:line)".
func Callers(stack string) []string {
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	frames := []string{}
	afterPanic := false
	for i := 0; i+1 < len(lines); i++ {
		fn := strings.TrimSpace(lines[i])
		if strings.HasPrefix(fn, "goroutine ") || strings.HasPrefix(lines[i], "\t") {
			continue
		}
		loc := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndex(loc, " +0x"); j > 0 {
			loc = loc[:j]
		}
		name := fn
		if j := strings.LastIndex(name, "("); j > 0 {
			name = name[:j]
		}
		switch {
		case name == "panic":
			afterPanic, frames = true, []string{}
			continue
		case strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "runtime/debug."):
			continue
		case strings.HasPrefix(name, "github.com/expr-lang/expr/"):
			return frames
		}
		if afterPanic || len(frames) < 20 {
			frames = append(frames, fmt.Sprintf("%s (%s)", name, loc))
		}
	}
	return frames
}
