package runtime

import (
	"testing"
	"testing/fstest"
)

func TestMemoryOf(t *testing.T) {
	const meminfo = "MemTotal:       24683584 kB\nMemFree:         1000 kB\n"
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name  string
		files fstest.MapFS
		want  int64
	}{
		{"meminfo only", fstest.MapFS{"proc/meminfo": file(meminfo)}, 24683584 << 10},
		{"v2 limit", fstest.MapFS{"proc/meminfo": file(meminfo), "proc/self/cgroup": file("0::/app\n"),
			"sys/fs/cgroup/app/memory.max": file("2147483648\n")}, 2 << 30},
		{"v2 limit of a parent", fstest.MapFS{"proc/meminfo": file(meminfo), "proc/self/cgroup": file("0::/a/b\n"),
			"sys/fs/cgroup/a/b/memory.max": file("max\n"), "sys/fs/cgroup/a/memory.max": file("1073741824\n")}, 1 << 30},
		{"v2 no limit", fstest.MapFS{"proc/meminfo": file(meminfo), "proc/self/cgroup": file("0::/\n"),
			"sys/fs/cgroup/memory.max": file("max\n")}, 24683584 << 10},
		{"v1 limit", fstest.MapFS{"proc/meminfo": file(meminfo),
			"proc/self/cgroup": file("5:devices:/\n4:memory:/process_api/x\n0::/\n"),
			"sys/fs/cgroup/memory/process_api/x/memory.limit_in_bytes": file("536870912\n"),
			"sys/fs/cgroup/memory/memory.limit_in_bytes":               file("9223372036854771712\n")}, 512 << 20},
		{"v1 no limit", fstest.MapFS{"proc/meminfo": file(meminfo), "proc/self/cgroup": file("4:cpu,memory:/x\n"),
			"sys/fs/cgroup/memory/x/memory.limit_in_bytes": file("9223372036854771712\n")}, 24683584 << 10},
		{"a limit above the machine's", fstest.MapFS{"proc/meminfo": file(meminfo), "proc/self/cgroup": file("0::/\n"),
			"sys/fs/cgroup/memory.max": file("99999999999999\n")}, 24683584 << 10},
		{"a cgroup but no meminfo", fstest.MapFS{"proc/self/cgroup": file("0::/\n"),
			"sys/fs/cgroup/memory.max": file("3221225472\n")}, 3 << 30},
		{"nothing to read", fstest.MapFS{}, unknownMemory},
		{"garbage", fstest.MapFS{"proc/meminfo": file("MemTotal: lots\n"), "proc/self/cgroup": file("what\n0::/\n"),
			"sys/fs/cgroup/memory.max": file("-5\n")}, unknownMemory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := memoryOf(tt.files); got != tt.want {
				t.Errorf("memoryOf = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMachineMemory(t *testing.T) {
	if n := machineMemory(); n < 64<<20 {
		t.Errorf("machineMemory() = %d, want the machine's memory", n)
	}
}
