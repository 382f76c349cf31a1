package dsl

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// scalar remembers a YAML scalar and its file, so that offsets inside its
// value can be mapped back to lines and columns when needed.
type scalar struct {
	src       *source
	node      *yaml.Node
	positions []Pos // computed on first use
}

// posAt returns the file position of the rune at offset in the value.
func (s *scalar) posAt(offset int) Pos {
	if s == nil || s.node == nil {
		return Pos{}
	}
	if s.positions == nil {
		s.positions = s.src.scalarPositions(s.node)
	}
	offset = min(max(offset, 0), len(s.positions)-1)
	return s.positions[offset]
}

// ExprNode is an expression written in the file.
type ExprNode struct {
	Meta
	Src string
	at  *scalar
}

func (v *ExprNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	text, ok := d.scalarText(n, "an expression")
	if !ok {
		return
	}
	if strings.TrimSpace(text) == "" {
		d.errorf(n, "expr-syntax", "", "%s: empty expression", d.where())
		return
	}
	v.Src, v.at = text, &scalar{src: d.src, node: n}
}

// PosAt returns the file position of the rune at offset in Src.
func (v *ExprNode) PosAt(offset int) Pos {
	if v.at == nil {
		return v.Pos
	}
	return v.at.posAt(offset)
}

// TemplatePart is a piece of a template: literal text, or an expression
// between ${ and }.
type TemplatePart struct {
	Lit    string
	Expr   string
	Offset int // rune offset of Expr (or Lit) in the template's text
}

// TemplateNode is a string with ${ expression } interpolations.
type TemplateNode struct {
	Meta
	Src   string
	Parts []TemplatePart
	at    *scalar
}

func (v *TemplateNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	text, ok := d.scalarText(n, "a string")
	if !ok {
		return
	}
	v.Src, v.at = text, &scalar{src: d.src, node: n}
	parts, off, msg := splitTemplate(text)
	if msg != "" {
		pos := v.at.posAt(off)
		d.report(SeverityError, pos, 2, "interpolation", "write ${ expression }, or $${ for a literal ${", "%s: %s", d.where(), msg)
		return
	}
	v.Parts = parts
}

// PosAt returns the file position of the rune at offset in Src.
func (v *TemplateNode) PosAt(offset int) Pos {
	if v.at == nil {
		return v.Pos
	}
	return v.at.posAt(offset)
}

// splitTemplate cuts text into literal parts and ${...} expressions. $${
// stands for a literal ${. The closing brace is the first one outside the
// expression's own braces and string literals. On a mistake it returns the
// rune offset of the offending ${ and a message.
func splitTemplate(text string) ([]TemplatePart, int, string) {
	r := []rune(text)
	var parts []TemplatePart
	var lit strings.Builder
	litStart := 0
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, TemplatePart{Lit: lit.String(), Offset: litStart})
			lit.Reset()
		}
	}
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '$' && i+2 < len(r) && r[i+1] == '$' && r[i+2] == '{':
			lit.WriteString("${")
			i += 2
		case r[i] == '$' && i+1 < len(r) && r[i+1] == '{':
			end := closingBrace(r, i+2)
			if end < 0 {
				return nil, i, "unterminated ${: no closing }"
			}
			expr := string(r[i+2 : end])
			if strings.TrimSpace(expr) == "" {
				return nil, i, "empty ${}"
			}
			flush()
			parts = append(parts, TemplatePart{Expr: expr, Offset: i + 2})
			i = end
			litStart = end + 1
		default:
			if lit.Len() == 0 {
				litStart = i
			}
			lit.WriteRune(r[i])
		}
	}
	flush()
	return parts, 0, ""
}

// closingBrace finds the } that ends an expression starting at r[start],
// just after its ${.
func closingBrace(r []rune, start int) int { return closing(r, start-1) }

// HasExpr reports whether the template interpolates anything.
func (v *TemplateNode) HasExpr() bool {
	for _, p := range v.Parts {
		if p.Expr != "" {
			return true
		}
	}
	return false
}

// TemplateListNode is a list of templates: the argv of an exec step.
type TemplateListNode struct {
	Meta
	Args []TemplateNode
}

func (v *TemplateListNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "type", "exec takes a list: [program, arg, ...]; for a command line use sh",
			"%s must be a list of arguments, got %s", d.where(), kindName(n))
		return
	}
	if len(n.Content) == 0 {
		d.errorf(n, "empty-exec", "name the program first: [program, arg, ...]", "%s: empty argument list", d.where())
		return
	}
	for _, el := range n.Content {
		var t TemplateNode
		d.decodeField(nil, el, reflectValue(&t), fieldSpec{})
		v.Args = append(v.Args, t)
	}
}
