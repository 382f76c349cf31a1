package runtime

import (
	"fmt"

	"github.com/poolflow/poolflow/dsl"
)

// LimitError is a limit of the limits block that an evaluation passed; a
// failure it causes has kind limit.
type LimitError struct {
	Key     string       // the key that sets the limit: limits.memory
	Limit   int64        // the limit in bytes
	Size    dsl.ByteSize // the limit as the file gives it
	Machine int64        // the memory a share is of
}

func (e *LimitError) Error() string {
	if e.Size.Share > 0 {
		return fmt.Sprintf("memory limit of %s passed (%s: %s of %s)", formatSize(e.Limit), e.Key, e.Size, formatSize(e.Machine))
	}
	return fmt.Sprintf("memory limit of %s passed (%s)", formatSize(e.Limit), e.Key)
}

// formatSize writes n in the largest binary unit it reaches: 64MiB,
// 11.8GiB, 100B.
func formatSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		switch {
		case n >= u.size && n%u.size == 0:
			return fmt.Sprintf("%d%s", n/u.size, u.name)
		case n >= u.size:
			return fmt.Sprintf("%.1f%s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}
