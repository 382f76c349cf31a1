package dsl

import "testing"

// What --resume compares: a change in what items compute, their policy
// included, changes the version; a change in callbacks or workers does
// not.
func TestVersionFollowsWhatItemsCompute(t *testing.T) {
	base := "version: 1\nname: v\nworkers: 2\nitems: [1, 2]\nmap:\n  steps:\n    - expr: item\n  on_error: {then: skip, max_failures: 3}\n"
	version := func(text string) string { return compileText(t, text, nil).Version() }
	same := map[string]string{
		"workers":                               "version: 1\nname: v\nworkers: 4\nitems: [1, 2]\nmap:\n  steps:\n    - expr: item\n  on_error: {then: skip, max_failures: 3}\n",
		"budget in its mapping form, abort-all": "version: 1\nname: v\nworkers: 2\nitems: [1, 2]\nmap:\n  steps:\n    - expr: item\n  on_error: {then: skip, max_failures: {limit: 3}}\n",
	}
	other := map[string]string{
		"a step":            "version: 1\nname: v\nworkers: 2\nitems: [1, 2]\nmap:\n  steps:\n    - expr: item + 1\n  on_error: {then: skip, max_failures: 3}\n",
		"the budget":        "version: 1\nname: v\nworkers: 2\nitems: [1, 2]\nmap:\n  steps:\n    - expr: item\n  on_error: {then: skip, max_failures: 4}\n",
		"the budget's then": "version: 1\nname: v\nworkers: 2\nitems: [1, 2]\nmap:\n  steps:\n    - expr: item\n  on_error: {then: skip, max_failures: {limit: 3, then: drain}}\n",
	}
	want := version(base)
	for name, text := range same {
		if got := version(text); got != want {
			t.Errorf("%s: version %s, want %s as before", name, got, want)
		}
	}
	for name, text := range other {
		if got := version(text); got == want {
			t.Errorf("%s: version %s did not change", name, got)
		}
	}
}
