package dsl

import "testing"

func TestParseByteSize(t *testing.T) {
	for _, c := range []struct {
		text  string
		share bool
		want  ByteSize
		err   string
	}{
		{"1048576", false, ByteSize{Bytes: 1 << 20}, ""},
		{"512MiB", false, ByteSize{Bytes: 512 << 20}, ""},
		{"2GB", false, ByteSize{Bytes: 2e9}, ""},
		{"1.5 KiB", false, ByteSize{Bytes: 1536}, ""},
		{"100B", false, ByteSize{Bytes: 100}, ""},
		{"50%", true, ByteSize{Share: 0.5}, ""},
		{"50%", false, ByteSize{}, `bad size "50%"`},
		{"0%", true, ByteSize{}, `bad share "0%": write a percentage above 0% and at most 100%`},
		{"12 parsecs", false, ByteSize{}, `bad size "12 parsecs"`},
		{"MiB", false, ByteSize{}, `bad size "MiB"`},
		{"0", false, ByteSize{}, `size "0" is out of range`},
		{"9999999TiB", false, ByteSize{}, `size "9999999TiB" is out of range`},
	} {
		got, err := ParseByteSize(c.text, c.share)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != c.want || msg != c.err {
			t.Errorf("ParseByteSize(%q, %v) = %v, %q; want %v, %q", c.text, c.share, got, msg, c.want, c.err)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{16 << 20, "16MiB"}, {1536, "1536B"}, {3 << 10, "3KiB"}, {100, "100B"}, {1 << 40, "1TiB"}} {
		if got := FormatBytes(c.n); got != c.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
