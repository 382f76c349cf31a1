package dsl

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"
)

// source is one pipeline file's text, kept to map YAML nodes and offsets
// inside scalar values back to lines and columns.
type source struct {
	file  string
	text  []byte
	lines [][]rune // each line with its '\n', except perhaps the last
}

func newSource(file string, text []byte) *source {
	s := &source{file: file, text: text}
	for _, l := range strings.SplitAfter(string(text), "\n") {
		s.lines = append(s.lines, []rune(l))
	}
	return s
}

// pos is where node n starts.
func (s *source) pos(n *yaml.Node) Pos {
	return Pos{File: s.file, Line: n.Line, Col: n.Column}
}

// at returns the rune at the 1-based line and column, or 0 past the end.
func (s *source) at(c cursor) rune {
	if c.line < 1 || c.line > len(s.lines) {
		return 0
	}
	l := s.lines[c.line-1]
	if c.col < 1 || c.col > len(l) {
		return 0
	}
	return l[c.col-1]
}

// next moves c one rune forward.
func (s *source) next(c cursor) cursor {
	if s.at(c) == '\n' {
		return cursor{c.line + 1, 1}
	}
	return cursor{c.line, c.col + 1}
}

type cursor struct{ line, col int }

// scalarPositions maps every rune of a scalar's decoded value to where it
// stands in the file, so an error at offset k inside an expression points at
// the right column whatever the quoting or block style. It aligns the value
// with the raw text greedily: literal runes match themselves, an escape in a
// double-quoted scalar or ” in a single-quoted one stands for one rune, a
// folded line break stands for a space, and indentation is skipped. Where the text cannot be aligned (it should not happen) the rest
// maps to the last known position, never to nowhere.
func (s *source) scalarPositions(n *yaml.Node) []Pos {
	value := []rune(n.Value)
	out := make([]Pos, len(value)+1)
	c := cursor{n.Line, n.Column}
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		c = cursor{n.Line + 1, 1}
	case n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		c.col++ // past the opening quote
	}
	last := Pos{s.file, n.Line, n.Column}
	block := n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	for i, r := range value {
		if block && c.col == 1 {
			c = s.skipIndent(c, value[i:])
		}
		var ok bool
		c, ok = s.align(c, r, n.Style)
		if !ok {
			for ; i < len(value); i++ {
				out[i] = last
			}
			break
		}
		last = Pos{s.file, c.line, c.col}
		out[i] = last
		c = s.skipMatched(c, n.Style)
	}
	out[len(value)] = Pos{s.file, last.Line, last.Col + 1}
	if len(value) == 0 {
		out[0] = Pos{s.file, n.Line, n.Column}
	}
	return out
}

// skipIndent moves c, at the start of a line of a block scalar, past the
// block's indentation: the line's leading spaces but those the value keeps
// (a more indented line keeps the extra ones), so that they map to the
// extra spaces and not to the indentation.
func (s *source) skipIndent(c cursor, rest []rune) cursor {
	keep, lead := 0, 0
	for keep < len(rest) && rest[keep] == ' ' {
		keep++
	}
	for s.at(cursor{c.line, lead + 1}) == ' ' {
		lead++
	}
	c.col += max(lead-keep, 0)
	return c
}

// align moves c forward to the raw rune that produced value rune r.
func (s *source) align(c cursor, r rune, style yaml.Style) (cursor, bool) {
	for guard := 0; guard < 4096; guard++ {
		raw := s.at(c)
		switch {
		case raw == 0:
			return c, false
		case style&yaml.DoubleQuotedStyle != 0 && raw == '\\':
			if s.at(s.next(c)) == '\n' { // an escaped line break yields nothing
				c = s.next(s.next(c))
				continue
			}
			return c, true
		case raw == r:
			return c, true
		case raw == '\n' && (r == ' ' || r == '\n'):
			return c, true
		case raw == ' ' || raw == '\t' || raw == '\n' || raw == '\r':
			c = s.next(c)
		default:
			return c, false
		}
	}
	return c, false
}

// skipMatched moves past the raw text of one matched value rune: one rune,
// or a whole escape sequence.
func (s *source) skipMatched(c cursor, style yaml.Style) cursor {
	raw := s.at(c)
	if style&yaml.SingleQuotedStyle != 0 && raw == '\'' && s.at(s.next(c)) == '\'' {
		return s.next(s.next(c))
	}
	if style&yaml.DoubleQuotedStyle == 0 || raw != '\\' {
		return s.next(c)
	}
	c = s.next(c)
	width := map[rune]int{'x': 2, 'u': 4, 'U': 8}[s.at(c)]
	c = s.next(c)
	for i := 0; i < width; i++ {
		c = s.next(c)
	}
	return c
}

// SourceLine returns line n (1-based) of src without its line break.
func SourceLine(src []byte, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimRight(string(src), "\r"), true
}
