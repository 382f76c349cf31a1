package journal

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// TestCodecRoundTrip checks that a result comes back as the same Go
// value: the oracle is reflect.DeepEqual against the value itself, which
// a plain JSON round trip fails for every case below but the first three
// (an int would come back a float64, a []string a []any, ...).
func TestCodecRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 2, 5, 4, 3, 123456789, time.UTC)
	values := []any{
		nil, "text", true,
		42, -7, int64(1) << 40, 2.5, 3.0, -0.0001, 1e300,
		[]any{1, "two", 3.0, nil, []any{}},
		map[string]any{"n": 1, "f": 1.0, "s": "x", "list": []any{map[string]any{"deep": true}}},
		[]string{"a", "b"}, []string{},
		map[string]string{"shipmentId": "S1", "processing_time_epoch": "1717400000"},
		[]map[string]string{{"a": "1"}, {"a": "2", "b": ""}},
		at, 1500 * time.Millisecond,
		map[string]any{"when": at, "took": time.Second},
		"{\"l\": [1]}", // a string that looks like a tag stays a string
	}
	for _, v := range values {
		raw, err := encodeValue(nil, v)
		if err != nil {
			t.Errorf("encode %#v: %v", v, err)
			continue
		}
		got, err := decodeValue(raw)
		if err != nil {
			t.Errorf("decode %s: %v", raw, err)
			continue
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("%#v came back as %#v (from %s)", v, got, raw)
		}
	}
}

// TestCodecStructsAsTheirJSON: a struct is kept as the map of its JSON
// fields, which is what expressions read of it.
func TestCodecStructsAsTheirJSON(t *testing.T) {
	type shell struct {
		Stdout string `json:"stdout"`
		Code   int    `json:"code"`
	}
	raw, err := encodeValue(nil, shell{Stdout: "hi\n", Code: 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeValue(raw)
	want := map[string]any{"stdout": "hi\n", "code": 3}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, %v; want %#v", got, err, want)
	}
}

func TestCodecRefusesWhatItCannotKeep(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), []any{1, math.Inf(-1)}, make(chan int)} {
		if raw, err := encodeValue(nil, v); err == nil {
			t.Errorf("%#v was kept, as %s", v, raw)
		}
	}
}
