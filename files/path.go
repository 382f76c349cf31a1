package files

import "path/filepath"

// Resolve returns p resolved against dir: p itself when it is absolute or
// dir is "", else dir/p.
func Resolve(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
