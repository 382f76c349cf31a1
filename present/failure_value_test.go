package present

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/poolflow/poolflow/dsl"
)

// A failure rendered from its wire shape, as a report holds it, reads as
// the terminal showed it: one renderer, whichever it starts from.
func TestFailureFromItsValueReadsTheSame(t *testing.T) {
	tests := []struct{ name, src string }{
		{"sh", `version: 1
name: t
workers: 1
items: [a.csv]
map:
  steps:
    - name: convert
      sh: 'echo "bad header in ${item}" >&2; exit 3'
`},
		{"exec", `version: 1
name: t
workers: 1
items: ["in/file 9.txt"]
map:
  steps:
    - exec: [sh, -c, 'exit 4', "${item}"]
`},
		{"retry.when note", `version: 1
name: t
workers: 1
items: [1]
map:
  steps:
    - expr: 'fail("no: " + string(item))'
  on_error:
    retry: {attempts: 2, when: 'int(error.message) > 1'}
`},
		{"max_failures note", `version: 1
name: t
workers: 1
items: [1, 3]
map:
  steps:
    - assert: item % 2 == 0
  on_error:
    then: skip
    max_failures: 1
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := runFailure(t, tt.src)
			var live, wire bytes.Buffer
			Failure(&live, e, []byte(tt.src), Style{}, dsl.SeverityError)
			text, err := json.Marshal(e.Value())
			if err != nil {
				t.Fatal(err)
			}
			var v dsl.ErrorValue
			if err := json.Unmarshal(text, &v); err != nil {
				t.Fatal(err)
			}
			FailureValue(&wire, v, []byte(tt.src), Style{}, dsl.SeverityError)
			if live.String() != wire.String() {
				t.Errorf("from the record:\n%s\nfrom its JSON:\n%s", live.String(), wire.String())
			}
		})
	}
}
