package dsl

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LimitsNode is the limits mapping: the sizes a run may reach. Every limit
// has a default (spec.md §6.7); a run that passes one fails with kind limit.
type LimitsNode struct {
	Meta
	Memory ByteSizeNode `key:"memory" share:"true" doc:"most memory expressions may hold: a size such as 2GiB, or a share of the machine's memory such as 50%; default 50%"`
	Output ByteSizeNode `key:"output" doc:"most bytes of standard output, and of standard error, kept per command; default 16MiB"`
}

// ByteSizeNode is a size in bytes: an integer, or a number and a unit
// (B, KB, MB, GB, TB in powers of 1000; KiB, MiB, GiB, TiB in powers of
// 1024); where the field's share tag allows it, a percentage of the
// machine's memory.
type ByteSizeNode struct {
	Meta
	Value ByteSize
}

// ByteSize is a size in bytes, or a share of the machine's memory.
type ByteSize struct {
	Bytes int64   // when Share is 0
	Share float64 // 0.5 for 50%; 0 when Bytes applies
}

// IsZero reports whether no size was given.
func (b ByteSize) IsZero() bool { return b.Bytes == 0 && b.Share == 0 }

// Of returns the size in bytes, taking a share of total.
func (b ByteSize) Of(total int64) int64 {
	if b.Share > 0 {
		return int64(b.Share * float64(total))
	}
	return b.Bytes
}

func (b ByteSize) String() string {
	if b.Share > 0 {
		return strconv.FormatFloat(b.Share*100, 'g', -1, 64) + "%"
	}
	return FormatBytes(b.Bytes)
}

// FormatBytes writes n with the largest binary unit that divides it, as a
// pipeline file would: 16MiB, 1536KiB, 100B.
func FormatBytes(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d%s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}

var byteUnits = map[string]float64{
	"": 1, "B": 1,
	"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
	"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
}

// ParseByteSize reads a size such as 512MiB, 2GB or 1048576; with share,
// also a percentage such as 50%.
func ParseByteSize(text string, share bool) (ByteSize, error) {
	text = strings.TrimSpace(text)
	if share && strings.HasSuffix(text, "%") {
		p, ok := parsePercent(text)
		if !ok || p == 0 {
			return ByteSize{}, fmt.Errorf("bad share %q: write a percentage above 0%% and at most 100%%", text)
		}
		return ByteSize{Share: p}, nil
	}
	i := strings.IndexFunc(text, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := text, ""
	if i >= 0 {
		num, unit = text[:i], strings.TrimSpace(text[i:])
	}
	mult, ok := byteUnits[unit]
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || num == "" {
		return ByteSize{}, fmt.Errorf("bad size %q", text)
	}
	bytes := f * mult
	if bytes < 1 || bytes > math.MaxInt64/2 {
		return ByteSize{}, fmt.Errorf("size %q is out of range", text)
	}
	return ByteSize{Bytes: int64(bytes)}, nil
}

func (v *ByteSizeNode) decodeNode(d *decoder, n *yaml.Node, f fieldSpec) {
	share := f.Share
	hint := "write a size such as 512MiB or 2GB"
	if share {
		hint += ", or a share of the machine's memory such as 50%"
	}
	text, ok := d.scalarText(n, "a size")
	if !ok {
		return
	}
	size, err := ParseByteSize(text, share)
	if err != nil {
		d.errorf(n, "size", hint, "%s: %v", d.where(), err)
		return
	}
	v.Value = size
}

func (*ByteSizeNode) jsonSchema(f fieldSpec) map[string]any {
	pattern := byteSizeRegexp
	if f.Share {
		pattern += "|" + percentRegexp
	}
	return map[string]any{"oneOf": []any{
		map[string]any{"type": "integer", "minimum": 1},
		map[string]any{"type": "string", "pattern": pattern},
	}}
}

const byteSizeRegexp = `^[0-9]+(\.[0-9]+)? ?([KMGT]i?B|B)?$`

// Limits are the sizes a run may reach, with defaults filled in where a
// default does not depend on the machine.
type Limits struct {
	// Memory is the most memory expressions may hold; a share is of the
	// machine's memory, which the runtime finds out.
	Memory ByteSize
	// Output is the most bytes kept of each stream of a command.
	Output int64
}

// Defaults of the limits block.
var (
	DefaultMemory = ByteSize{Share: 0.5}
)

// DefaultOutput is the default of limits.output.
const DefaultOutput = 16 << 20

// limits compiles the limits block.
func (c *compiler) limits() Limits {
	l := Limits{Memory: DefaultMemory, Output: DefaultOutput}
	n := c.p.Limits
	if n == nil {
		return l
	}
	if n.Memory.Set {
		l.Memory = n.Memory.Value
	}
	if n.Output.Set {
		l.Output = n.Output.Value.Bytes
	}
	return l
}
