package proctree

import (
	"strings"
	"testing"
)

func TestBelongsTo(t *testing.T) {
	tests := []struct {
		value, marker string
		want          bool
	}{
		{"ab12.3", "ab12.3", true},
		{"ab12.3/cd.1", "ab12.3", true}, // a poolflow run by the command
		{"ab12.30", "ab12.3", false},
		{"ab12.3x", "ab12.3", false},
		{"zz.1/ab12.3", "ab12.3", false},
		{"", "ab12.3", false},
	}
	for _, tt := range tests {
		if got := belongsTo(tt.value, tt.marker); got != tt.want {
			t.Errorf("belongsTo(%q, %q) = %v, want %v", tt.value, tt.marker, got, tt.want)
		}
	}
}

func TestNewPrefix(t *testing.T) {
	p := newPrefix("")
	if err := checkPrefix(p); err != nil {
		t.Errorf("prefix %q: %v", p, err)
	}
	nested := newPrefix("ab12.3")
	if !strings.HasPrefix(nested, "ab12.3/") || checkPrefix(nested) != nil {
		t.Errorf("nested prefix %q, want ab12.3/ID.", nested)
	}
	if m := newMarker(); !strings.HasPrefix(m, prefix) || m == newMarker() {
		t.Errorf("markers %q are not this program's, or not distinct", m)
	}
}

func TestCheckPrefix(t *testing.T) {
	for _, bad := range []string{"", ".", "ab12", "ab12.3", "xyz.", "outer.1/.", "ab 12."} {
		if err := checkPrefix(bad); err == nil {
			t.Errorf("checkPrefix(%q) accepted it", bad)
		}
	}
	if got, want := checkPrefix("").Error(), `watchdog: bad marker prefix ""`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestMarkerIn(t *testing.T) {
	block := []byte("HOME=/root\x00POOLFLOW_STEPX=no\x00POOLFLOW_STEP=ab.1/cd.2\x00PATH=/bin\x00")
	if v, ok := markerIn(block); !ok || v != "ab.1/cd.2" {
		t.Errorf("markerIn = %q, %v; want ab.1/cd.2", v, ok)
	}
	if v, ok := markerIn([]byte("HOME=/root\x00")); ok {
		t.Errorf("markerIn found %q in an environment without it", v)
	}
}
