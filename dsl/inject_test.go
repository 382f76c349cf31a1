package dsl_test

import (
	"fmt"
	"testing"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

const injectSrc = `version: 1
name: inject
items: [a, b, c]
map:
  steps:
    - name: fetch
      expr: item
    - expr: fetch + "!"
`

// TestInjectSpecs: each spec compiles to its Injection, or fails at its
// column with the whole message.
func TestInjectSpecs(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"map/fetch:index=3,7-9;kind=timeout;attempts=1-2", "step fetch index [{3 3} {7 9}] kind timeout code 1 attempts [{1 2}] share false when -"},
		{"map/2:share=10%;seed=4;kind=exit;code=3;stderr=gone", "step step 2 index [] kind exit code 3 attempts [] share true when -"},
		{"map/fetch:when=item == \"b\";kind=data", `step fetch index [] kind data code 1 attempts [] share false when item == "b"`},
		{"map/fetch:kind=exitt", `--inject:1:16: unknown kind "exitt"`},
		{"map/nope", `--inject:1:5: the map stage has no step "nope"`},
		{"map/3", `--inject:1:5: the map stage has no step "3"`},
		{"initializer/x", `--inject:1:1: "initializer/x" does not name a step of the map stage`},
		{"map/fetch:index=-1", `--inject:1:17: index: "-1" is not a list of indexes from 0 such as 3,7,10-12`},
		{"map/fetch:code=0", `--inject:1:16: code: "0" is not an exit status from 1 to 255`},
		{"map/fetch:share=10", `--inject:1:17: share: "10" is not a percentage such as 10%`},
		{"map/fetch:colour=red", `--inject:1:11: unknown option "colour=red"`},
		{"map/fetch:when=index + 1", `--inject:1:16: --inject when: expected bool, but got int`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			plan, diags := dsl.Load("p.yaml", []byte(injectSrc), dsl.Options{Functions: builtins.Options(), Inject: []string{tt.spec}})
			got := ""
			if diags.HasErrors() {
				d := diags[0]
				got = fmt.Sprintf("%s: %s", d.Pos, d.Message)
			} else {
				in := plan.Injections[0]
				when := "-"
				if in.When != nil {
					when = in.When.Source
				}
				got = fmt.Sprintf("step %s index %v kind %s code %d attempts %v share %t when %s",
					in.Step.Label, fmtRanges(in.Indexes), in.Kind, in.Code, fmtRanges(in.Attempts), in.HasShare, when)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func fmtRanges(rs []dsl.IntRange) string {
	if rs == nil {
		return "[]"
	}
	return fmt.Sprint(rs)
}

// TestInjectionSelection: index, attempts and a seeded share.
func TestInjectionSelection(t *testing.T) {
	in := &dsl.Injection{Indexes: []dsl.IntRange{{3, 3}, {7, 9}}, Attempts: []dsl.IntRange{{1, 2}}}
	var got []int
	for i := range 12 {
		if in.SelectsIndex(i) {
			got = append(got, i)
		}
	}
	if fmt.Sprint(got) != "[3 7 8 9]" || !in.OnAttempt(2) || in.OnAttempt(3) {
		t.Errorf("selected %v, attempt 2 %t, attempt 3 %t; want [3 7 8 9], true, false", got, in.OnAttempt(2), in.OnAttempt(3))
	}
	share := &dsl.Injection{Share: 0.25, HasShare: true, Seed: 9}
	n := 0
	for i := range 4000 {
		if share.SelectsIndex(i) {
			n++
		}
	}
	if n < 900 || n > 1100 {
		t.Errorf("a share of 25%% selected %d of 4000", n)
	}
}
