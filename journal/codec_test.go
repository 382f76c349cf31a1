package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/poolflow/poolflow/runtime"
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

// TestAppendStringIsJSON: encoding/json reads back what appendString
// writes, invalid UTF-8 made U+FFFD as json.Marshal makes it.
func TestAppendStringIsJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "tab\tnl\ncr\r", "\x00\x01\x1f", "<a&b>", "héllo ☃ 𝄞", "bad\xffutf8\xc3", "\u2028\u2029"} {
		var got string
		if err := json.Unmarshal(appendString(nil, s), &got); err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if got != wantBack {
			t.Errorf("%q came back as %q, json.Marshal's as %q", s, got, wantBack)
		}
	}
}

// TestEncodeRecordIsTheRecord: a line written by hand decodes, with
// encoding/json, to the record it stands for.
func TestEncodeRecordIsTheRecord(t *testing.T) {
	mod, origin := time.Unix(1700000000, 123), time.Unix(1700000000, 0)
	it := runtime.Finished{Key: []byte("k"), Index: 7, Item: "seven", Worker: 2, Started: origin.Add(1500 * time.Microsecond), Duration: 2 * time.Millisecond,
		Status: runtime.StatusSkipped, Attempts: 3, Result: 1.5, Has: true, Fallback: true, Deps: []runtime.Dep{{Path: `a "b".csv`, Size: 10, ModTime: mod}, {Path: "c", Size: 0, ModTime: mod}}}
	line, err := encodeRecord(nil, &it, origin)
	if err != nil {
		t.Fatal(err)
	}
	var r record
	if err := json.Unmarshal(line, &r); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	want := record{Index: 7, Key: keyHash([]byte("k")), Status: "skipped", Attempts: 3, Worker: 2, Text: "seven", Times: []float64{1.5, 2},
		Has: true, Fallback: true,
		Result: json.RawMessage("1.5"), Deps: []dep{{`a "b".csv`, 10, mod.UnixNano()}, {"c", 0, mod.UnixNano()}}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("%s decodes to\n%+v, want\n%+v", line, r, want)
	}
}

// TestParseRecordAgreesWithJSON: the hand parser reads every line
// encodeRecord writes as encoding/json does.
func TestParseRecordAgreesWithJSON(t *testing.T) {
	mod, origin := time.Unix(1700000000, 123), time.Unix(1699999999, 0)
	failure := &runtime.Error{Kind: runtime.KindAssert, Cause: errors.New(`no "quotes", {braces} and [brackets]`)}
	items := []runtime.Finished{
		{Key: []byte("a"), Index: 0, Item: 17, Worker: 1, Started: mod, Duration: time.Second, Status: runtime.StatusOK, Attempts: 1, Result: 42, Has: true},
		{Key: []byte("b"), Index: 1, Status: runtime.StatusOK, Attempts: 2, Result: map[string]any{"s": `x,"}]`, "l": []any{1, "]", map[string]any{}}}, Has: true},
		{Key: []byte("c"), Index: 2, Status: runtime.StatusSkipped, Attempts: 3, Result: "fall\\back", Has: true, Fallback: true, Reused: true,
			Deps: []runtime.Dep{{Path: `d\\ir/"x".csv`, Size: 5, ModTime: mod}, {Path: "y", ModTime: mod}}},
		{Key: []byte("d"), Index: 3, Status: runtime.StatusFailed, Attempts: 1, Err: failure},
		{Key: []byte("e"), Index: -1, Status: runtime.StatusCancelled, Attempts: 0, Result: -7, Has: true},
	}
	for _, it := range items {
		line, err := encodeRecord(nil, &it, origin)
		if err != nil {
			t.Fatal(err)
		}
		var want record
		if err := json.Unmarshal(line, &want); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		got, ok := parseRecord(line)
		if !ok || !reflect.DeepEqual(normalRecord(got), normalRecord(want)) {
			t.Errorf("%s:\nparsed %+v (%v)\njson   %+v", line, got, ok, want)
		}
	}
	if _, ok := parseRecord([]byte(`{"k":"x","i":1}`)); ok {
		t.Error("a line in another order was parsed")
	}
}

// normalRecord compacts a record's raw result, which encoding/json keeps
// as written and the parser too: the same bytes either way.
func normalRecord(r record) record {
	var b bytes.Buffer
	if len(r.Result) > 0 && json.Compact(&b, r.Result) == nil {
		r.Result = b.Bytes()
	}
	return r
}

// TestUnquoteAgreesWithJSON: what unquote reads of appendString's
// strings is what encoding/json reads.
func TestUnquoteAgreesWithJSON(t *testing.T) {
	for _, s := range []string{"", "a\nb", `q"b\s`, "\x00\x1f\t\r", "☃ 𝄞", "bad\xff", "a\\nb"} {
		raw := appendString(nil, s)
		var want string
		json.Unmarshal(raw, &want)
		got, ok := unquote(raw[1 : len(raw)-1])
		if !ok || got != want {
			t.Errorf("%q: unquote gave %q (%v), encoding/json %q", s, got, ok, want)
		}
	}
}
