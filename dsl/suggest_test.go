package dsl

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"steps", "steps", 0},
		{"step", "steps", 1},           // insert
		{"stepss", "steps", 1},         // delete
		{"stebs", "steps", 1},          // substitute
		{"wokrers", "workers", 1},      // swap two neighbours
		{"ab", "ba", 1},                // swap
		{"abcd", "badc", 2},            // two swaps
		{"ca", "abc", 3},               // no edit of a swapped pair: optimal string alignment, not Damerau-Levenshtein
		{"kitten", "sitting", 3},       // the textbook case
		{"é", "e", 1},                  // runes, not bytes
		{"naïve", "naive", 1},          // runes, not bytes
		{"Steps", "steps", 1},          // case counts here; suggest ignores it
		{"max_delay", "maxdelay", 1},   // delete
		{"attempts", "attempst", 1},    // swap at the end
		{"exponential", "expo", 7},     // long delete
		{"read_cvs", "read_csv", 1},    // swap
		{"completed", "completion", 3}, // substitute and insert
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (it is symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"callbacks", "description", "initializer", "items", "map", "name", "order", "output", "params", "timeout", "version", "window", "workers"}
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"wokers", keys, "workers"},
		{"wrokers", keys, "workers"}, // a swap is one edit
		{"Workers", keys, "workers"}, // case is ignored
		{"itmes", keys, "items"},
		{"verison", keys, "version"},
		{"parms", keys, "params"},
		{"retry", keys, ""},        // nothing close
		{"x", keys, ""},            // too short to be near "map" or "name"
		{"mapp", keys, "map"},      // limit for 4 runes is 2
		{"ab", []string{"xy"}, ""}, // 2 edits for a 2-rune word is too many
		{"a", []string{"b"}, "b"},  // 1 edit is always allowed
		{"skipp", policyWords, "skip"},
		{"abort", policyWords, ""}, // 4 edits from abort-all
		{"abort_all", policyWords, "abort-all"},
		{"ab", []string{"ba", "ac"}, "ac"}, // ties go to the first in order
		{"anything", nil, ""},
		{"", []string{"a", "b"}, "a"},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("suggest(%q, %v) = %q, want %q", tt.word, tt.candidates, got, tt.want)
		}
	}
}

func TestDidYouMeanAndOneOf(t *testing.T) {
	if got, want := didYouMean("wokers", []string{"workers"}), `did you mean "workers"?`; got != want {
		t.Errorf("didYouMean = %q, want %q", got, want)
	}
	if got := didYouMean("zzz", []string{"workers"}); got != "" {
		t.Errorf("didYouMean with nothing close = %q, want nothing", got)
	}
	tests := []struct {
		words []string
		want  string
	}{
		{[]string{"skip"}, "skip"},
		{[]string{"skip", "abort-all"}, "one of abort-all or skip"},
		{[]string{"json", "jsonl", "csv", "text"}, "one of csv, json, jsonl or text"},
	}
	for _, tt := range tests {
		if got := oneOf(tt.words); got != tt.want {
			t.Errorf("oneOf(%v) = %q, want %q", tt.words, got, tt.want)
		}
	}
}
