package files

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Resolve returns p resolved against dir: p itself when it is absolute or
// dir is "", else dir/p.
func Resolve(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// Display shows a resolved path as a person at the shell would type it:
// relative to the working directory when it is below it or at most two
// folders up (../jobs/data.csv), else absolute.
func Display(path string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(path) {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, "../../..") {
		return path
	}
	return rel
}

// Where says where a relative path was looked for, for an error about a
// file that is not there: " (looked for examples/a/data.csv)" when p,
// resolved against dir, is not where the working directory would put it;
// "" when it is, or when p is absolute.
func Where(dir, p string) string {
	if filepath.IsAbs(p) || dir == "" {
		return ""
	}
	shown := Display(Resolve(dir, p))
	if shown == filepath.Clean(p) {
		return ""
	}
	return fmt.Sprintf(" (looked for %s)", shown)
}
