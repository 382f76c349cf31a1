package journal

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseRecord reads an item line as encodeRecord writes it, without
// encoding/json's reflection (which cost most of a resume); ok is false
// for a line it does not recognise, which the caller then decodes with
// encoding/json.
func parseRecord(line []byte) (r record, ok bool) {
	p := &parser{b: bytes.TrimRight(line, "\n")}
	if !p.lit(`{"i":`) || !p.int(&r.Index) || !p.lit(`,"k":`) || !p.str(&r.Key) ||
		!p.lit(`,"s":`) || !p.str(&r.Status) || !p.lit(`,"a":`) || !p.int(&r.Attempts) ||
		!p.lit(`,"w":`) || !p.int(&r.Worker) || !p.lit(`,"x":`) || !p.str(&r.Text) {
		return r, false
	}
	if p.lit(`,"ms":[`) {
		started, ok := p.float()
		if !ok || !p.lit(",") {
			return r, false
		}
		took, ok := p.float()
		if !ok || !p.lit("]") {
			return r, false
		}
		r.Times = []float64{started, took}
	}
	r.Has = p.lit(`,"h":true`)
	r.Fallback = p.lit(`,"f":true`)
	r.Reused = p.lit(`,"u":true`)
	if p.lit(`,"r":`) {
		v, ok := p.value()
		if !ok {
			return r, false
		}
		r.Result = v
	}
	if p.lit(`,"e":`) {
		v, ok := p.value()
		if !ok {
			return r, false
		}
		if e, ok := parseError(v); ok {
			r.Error = &e
		} else if json.Unmarshal(v, &r.Error) != nil {
			return r, false
		}
	}
	if p.lit(`,"d":[`) {
		for first := true; !p.lit("]"); first = false {
			var d dep
			if (!first && !p.lit(",")) || !p.lit(`{"p":`) || !p.str(&d.Path) || !p.lit(`,"n":`) || !p.int64(&d.Size) ||
				!p.lit(`,"t":`) || !p.int64(&d.ModTime) || !p.lit("}") {
				return r, false
			}
			r.Deps = append(r.Deps, d)
		}
	}
	return r, p.lit("}") && len(p.b) == 0
}

// strings reads the rest of a list of strings, after its '['.
func (p *parser) strings(l *[]string) bool {
	for first := true; !p.lit("]"); first = false {
		var s string
		if (!first && !p.lit(",")) || !p.str(&s) {
			return false
		}
		*l = append(*l, s)
	}
	return true
}

// parser reads a line from its start.
type parser struct{ b []byte }

func (p *parser) lit(s string) bool {
	if !bytes.HasPrefix(p.b, []byte(s)) {
		return false
	}
	p.b = p.b[len(s):]
	return true
}

func (p *parser) int(n *int) bool {
	var v int64
	ok := p.int64(&v)
	*n = int(v)
	return ok
}

func (p *parser) int64(n *int64) bool {
	end := 0
	for end < len(p.b) && (p.b[end] == '-' && end == 0 || p.b[end] >= '0' && p.b[end] <= '9') {
		end++
	}
	v, err := strconv.ParseInt(string(p.b[:end]), 10, 64)
	if err != nil {
		return false
	}
	*n, p.b = v, p.b[end:]
	return true
}

func (p *parser) float() (float64, bool) {
	end := 0
	for end < len(p.b) && strings.IndexByte("0123456789.-+eE", p.b[end]) >= 0 {
		end++
	}
	v, err := strconv.ParseFloat(string(p.b[:end]), 64)
	if err != nil {
		return 0, false
	}
	p.b = p.b[end:]
	return v, true
}

// str reads a JSON string; one with escapes is left to encoding/json.
func (p *parser) str(s *string) bool {
	raw, ok := p.value()
	if !ok || len(raw) < 2 || raw[0] != '"' {
		return false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		*s = string(raw[1 : len(raw)-1])
		return true
	}
	if u, ok := unquote(raw[1 : len(raw)-1]); ok {
		*s = u
		return true
	}
	return json.Unmarshal(raw, s) == nil
}

// unquote undoes the escapes appendString writes (\", \\, \n, \r, \t,
// \u00XX, \ufffd); ok is false for any other, which encoding/json then
// reads.
func unquote(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\\')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		if i+1 >= len(b) {
			return "", false
		}
		switch c := b[i+1]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+6 > len(b) {
				return "", false
			}
			n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
			if err != nil || (n >= 0xd800 && n < 0xe000) { // a surrogate pair: encoding/json's
				return "", false
			}
			out = utf8.AppendRune(out, rune(n))
			b = b[i+6:]
			continue
		default:
			return "", false
		}
		b = b[i+2:]
	}
	return string(out), true
}

// value reads one JSON value, finding its end by its strings and
// brackets; it does not check what lies between. A scalar ends at the
// comma or the bracket after it, which the line always has.
func (p *parser) value() ([]byte, bool) {
	depth, inString := 0, false
	for i := 0; i < len(p.b); i++ {
		c := p.b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
				if depth == 0 {
					return p.take(i + 1)
				}
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return p.take(i)
			}
			if depth--; depth == 0 {
				return p.take(i + 1)
			}
		case ',':
			if depth == 0 {
				return p.take(i)
			}
		}
	}
	return nil, false
}

func (p *parser) take(n int) ([]byte, bool) {
	if n == 0 {
		return nil, false
	}
	v := p.b[:n]
	p.b = p.b[n:]
	return v, true
}

// parseCSVTag reads a csv tag as appendCSV writes it.
func parseCSVTag(raw []byte) (c csvJSON, ok bool) {
	p := &parser{b: raw}
	if !p.lit(`{"csv":{"s":`) {
		return c, false
	}
	schema, ok := p.value()
	if !ok || json.Unmarshal(schema, &c.Schema) != nil {
		return c, false
	}
	ok = p.lit(`,"f":`) && p.str(&c.Form) && p.lit(`,"t":`) && p.str(&c.Text) && p.lit("}}") && len(p.b) == 0
	return c, ok
}
