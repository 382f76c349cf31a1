package dsl

import (
	"reflect"
	"testing"
)

// TestExprNodePosAt checks that offsets in an expression, parsed from a
// whole pipeline, map to the file, clamped to the expression's runes and the
// place just past them.
func TestExprNodePosAt(t *testing.T) {
	const text = `version: 1
name: pos
items: [1]
map:
  steps:
    - expr: item + 1
    - expr: 'item == ''x'''
    - expr: "\"é\" + item"
    - expr: |
        item
          + 2
    - expr: >-
        item
        + 3
`
	p, err := Parse("p.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	steps := p.Map.Steps.List
	tests := []struct {
		step, offset int
		want         Pos
	}{
		{0, 0, Pos{"p.yaml", 6, 13}},
		{0, 7, Pos{"p.yaml", 6, 20}},
		{0, 8, Pos{"p.yaml", 6, 21}},  // just past the end
		{0, 99, Pos{"p.yaml", 6, 21}}, // clamped
		{0, -1, Pos{"p.yaml", 6, 13}}, // clamped
		{1, 8, Pos{"p.yaml", 7, 22}},  // the first ' of ''x''
		{1, 9, Pos{"p.yaml", 7, 24}},  // x
		{1, 10, Pos{"p.yaml", 7, 25}},
		{2, 0, Pos{"p.yaml", 8, 14}}, // \"
		{2, 1, Pos{"p.yaml", 8, 16}}, // é, a character of two bytes
		{2, 2, Pos{"p.yaml", 8, 17}},
		{2, 6, Pos{"p.yaml", 8, 22}}, // item
		{3, 0, Pos{"p.yaml", 10, 9}},
		{3, 4, Pos{"p.yaml", 10, 13}}, // the line break
		{3, 5, Pos{"p.yaml", 11, 9}},  // the first extra space
		{3, 7, Pos{"p.yaml", 11, 11}}, // +
		{3, 9, Pos{"p.yaml", 11, 13}}, // 2
		{4, 4, Pos{"p.yaml", 13, 13}}, // the line break folded to a space
		{4, 5, Pos{"p.yaml", 14, 9}},  // +
		{4, 7, Pos{"p.yaml", 14, 11}}, // 3
	}
	for _, tt := range tests {
		e := &steps[tt.step].Expr
		if got := e.PosAt(tt.offset); got != tt.want {
			t.Errorf("step %d %q: PosAt(%d) = %v, want %v", tt.step, e.Src, tt.offset, got, tt.want)
		}
	}
	var zero ExprNode
	zero.Pos = Pos{"p.yaml", 3, 4}
	if got := zero.PosAt(5); got != zero.Pos {
		t.Errorf("an ExprNode without source: PosAt(5) = %v, want its Pos %v", got, zero.Pos)
	}
}

// TestTemplateNodePosAt checks offsets in a template, and that a template
// error points at its ${ in the file.
func TestTemplateNodePosAt(t *testing.T) {
	const text = "version: 1\nname: t\nitems: [1]\nmap:\n  steps:\n    - sh: \"echo \\\"${item}\\\"\"\n"
	p, err := Parse("p.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	sh := &p.Map.Steps.List[0].Sh
	want := []TemplatePart{{Lit: `echo "`, Offset: 0}, {Expr: "item", Offset: 8}, {Lit: `"`, Offset: 13}}
	if !reflect.DeepEqual(sh.Parts, want) {
		t.Fatalf("parts %#v, want %#v", sh.Parts, want)
	}
	for offset, want := range map[int]Pos{0: {"p.yaml", 6, 12}, 5: {"p.yaml", 6, 17}, 8: {"p.yaml", 6, 21}, 13: {"p.yaml", 6, 26}} {
		if got := sh.PosAt(offset); got != want {
			t.Errorf("PosAt(%d) = %v, want %v", offset, got, want)
		}
	}
}

func TestSplitTemplate(t *testing.T) {
	type result struct {
		Parts  []TemplatePart
		Offset int
		Msg    string
	}
	tests := []struct {
		text string
		want result
	}{
		{"", result{}},
		{"plain text", result{Parts: []TemplatePart{{Lit: "plain text"}}}},
		{"$ and $x and {} and }", result{Parts: []TemplatePart{{Lit: "$ and $x and {} and }"}}}},
		{"a$", result{Parts: []TemplatePart{{Lit: "a$"}}}},
		{"${a}", result{Parts: []TemplatePart{{Expr: "a", Offset: 2}}}},
		{"cp ${item} ${ out }/", result{Parts: []TemplatePart{
			{Lit: "cp "}, {Expr: "item", Offset: 5}, {Lit: " ", Offset: 10}, {Expr: " out ", Offset: 13}, {Lit: "/", Offset: 19}}}},
		{"${a}${b}", result{Parts: []TemplatePart{{Expr: "a", Offset: 2}, {Expr: "b", Offset: 6}}}},
		{"é${a}", result{Parts: []TemplatePart{{Lit: "é"}, {Expr: "a", Offset: 3}}}},
		{"$${HOME}", result{Parts: []TemplatePart{{Lit: "${HOME}"}}}},
		{"$${a} ${b} $${c}", result{Parts: []TemplatePart{
			{Lit: "${a} "}, {Expr: "b", Offset: 8}, {Lit: " ${c}", Offset: 10}}}},
		{"$$${a}", result{Parts: []TemplatePart{{Lit: "$${a}"}}}}, // $ then $${
		{"${ {a: 1}.a }", result{Parts: []TemplatePart{{Expr: " {a: 1}.a ", Offset: 2}}}},
		{"${ {a: {b: 2}}.a.b }!", result{Parts: []TemplatePart{{Expr: " {a: {b: 2}}.a.b ", Offset: 2}, {Lit: "!", Offset: 20}}}},
		{`${ "}" + '}' + ` + "`}`" + ` }`, result{Parts: []TemplatePart{{Expr: ` "}" + '}' + ` + "`}`" + ` `, Offset: 2}}}},
		{`${ "a\"}" }`, result{Parts: []TemplatePart{{Expr: ` "a\"}" `, Offset: 2}}}},
		{"x ${item", result{Offset: 2, Msg: "unterminated ${: no closing }"}},
		{"${ {a: 1}.a", result{Offset: 0, Msg: "unterminated ${: no closing }"}},
		{`${ "}`, result{Offset: 0, Msg: "unterminated ${: no closing }"}},
		{"é ${", result{Offset: 2, Msg: "unterminated ${: no closing }"}},
		{"a ${} b", result{Offset: 2, Msg: "empty ${}"}},
		{"${ \t }", result{Offset: 0, Msg: "empty ${}"}},
		{"${a} ${}", result{Offset: 5, Msg: "empty ${}"}},
	}
	for _, tt := range tests {
		var got result
		got.Parts, got.Offset, got.Msg = splitTemplate(tt.text)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitTemplate(%q) =\n  %#v\nwant\n  %#v", tt.text, got, tt.want)
		}
	}
}
