package runtime

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// machineMemory is how many bytes of memory this process may have: the
// machine's, or its cgroup's limit when that is lower. It is found once.
var machineMemory = sync.OnceValue(func() int64 { return memoryOf(os.DirFS("/")) })

// unknownMemory is what machineMemory assumes where it cannot find out.
const unknownMemory = 4 << 30

// memoryOf finds the memory available under root, a file system laid out
// as Linux's: the least of MemTotal in /proc/meminfo and the memory limits
// of the process's cgroups (v2 memory.max, v1 memory.limit_in_bytes) and
// of their parents.
func memoryOf(root fs.FS) int64 {
	if n := least(memTotal(root), cgroupLimit(root)); n > 0 {
		return n
	}
	return unknownMemory
}

// least is the smallest of the sizes above 0, or 0 when there is none.
func least(sizes ...int64) int64 {
	var out int64
	for _, n := range sizes {
		if n > 0 && (out == 0 || n < out) {
			out = n
		}
	}
	return out
}

// memTotal is MemTotal of /proc/meminfo in bytes, or 0.
func memTotal(root fs.FS) int64 {
	b, _ := fs.ReadFile(root, "proc/meminfo") // missing: 0
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "MemTotal:")
		if f := strings.Fields(rest); ok && len(f) == 2 && f[1] == "kB" {
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err == nil && kb > 0 {
				return kb << 10
			}
		}
	}
	return 0
}

// cgroupLimit is the least memory limit of the cgroups /proc/self/cgroup
// names, v2 and v1, and of their parents; 0 when none has one.
func cgroupLimit(root fs.FS) int64 {
	b, _ := fs.ReadFile(root, "proc/self/cgroup") // missing: no cgroup
	var out int64
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		// hierarchy-ID:controller-list:cgroup-path
		f := strings.SplitN(line, ":", 3)
		switch {
		case len(f) != 3:
		case f[0] == "0" && f[1] == "": // the v2 hierarchy
			out = least(out, limitUp(root, "sys/fs/cgroup", f[2], "memory.max"))
		case slices.Contains(strings.Split(f[1], ","), "memory"):
			out = least(out, limitUp(root, "sys/fs/cgroup/memory", f[2], "memory.limit_in_bytes"))
		}
	}
	return out
}

// limitUp reads the limit file of the cgroup at cgroup, mounted at mount,
// and of each of its parents, and returns the least limit; 0 for none.
func limitUp(root fs.FS, mount, cgroup, file string) int64 {
	var out int64
	for dir := path.Clean("/" + cgroup); ; dir = path.Dir(dir) {
		out = least(out, readLimit(root, path.Join(mount, dir, file)))
		if dir == "/" {
			return out
		}
	}
}

// readLimit reads a cgroup memory limit: 0 when the file is missing or
// says there is none ("max" in v2, a number near 2^63 in v1).
func readLimit(root fs.FS, name string) int64 {
	b, err := fs.ReadFile(root, name)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n >= 1<<62 {
		return 0
	}
	return n
}
