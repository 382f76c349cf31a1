package dsl

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse reads a pipeline file. It returns the Pipeline even when there are
// problems, as far as it could be read, together with a Diagnostics error
// listing every problem, sorted by position.
func Parse(file string, text []byte) (*Pipeline, error) {
	return parse(file, text, fileStructure)
}

// parse is Parse with the structural maxima to check.
func parse(file string, text []byte, most structure) (*Pipeline, error) {
	text = bytes.TrimPrefix(text, []byte("\ufeff")) // a BOM would shift line 1's columns
	p := &Pipeline{File: file, Source: text}
	if len(text) > MaxFileSize {
		p.unread = true
		return p, Diagnostics{tooLarge(file)}
	}
	d := &decoder{src: newSource(file, text), sizes: map[*yaml.Node]int{}, max: most}
	root, ok := d.document(text)
	if ok && !d.countNodes(root) {
		p.unread, ok = true, false
	}
	if ok {
		d.decodeStruct(root, reflectValue(p))
		if p.Version.Set && p.Version.Value != 1 {
			d.errorf(nodeAt(root, "version"), "version", "this poolflow reads version 1", "unsupported version %d", p.Version.Value)
		}
	}
	d.diags.Sort()
	return p, d.diags.Err()
}

// tooLarge is the diagnostic of a file over MaxFileSize.
func tooLarge(file string) Diagnostic {
	return Diagnostic{Pos: Pos{File: file, Line: 1, Col: 1}, Severity: SeverityError, Code: "too-large",
		Message: ErrTooLarge.Error(),
		Hint:    "keep data in files the items read (lines, csv, jsonl), not in the pipeline"}
}

// countNodes reports whether the tree under root has at most d.max.nodes
// nodes, aliases not followed; past that it reports an error at the first
// node over, and the file is not decoded further.
func (d *decoder) countNodes(root *yaml.Node) bool {
	count := 0
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if count++; count > d.max.nodes {
			d.errorf(n, "too-large", "keep data in files the items read (lines, csv, jsonl), not in the pipeline",
				"the pipeline has more than %d YAML nodes", d.max.nodes)
			return false
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return true
}

// nodeAt returns the value of key in mapping n, or n itself.
func nodeAt(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return n
}

// document parses text as exactly one YAML document and returns its root.
func (d *decoder) document(text []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.report(SeverityError, Pos{d.src.file, 1, 1}, 1, "empty", "start from `poolflow init`", "empty pipeline file")
		} else {
			d.yamlError(err)
		}
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.report(SeverityError, Pos{d.src.file, extra.Line, extra.Column}, 1, "yaml", "remove the --- and what follows, or split the file",
			"a pipeline file holds one YAML document; a second one starts here")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(err)
	}
	if len(doc.Content) == 0 {
		return nil, false
	}
	return doc.Content[0], true
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser errors, whose
// "line N" counts from 0; its scanner errors count from 1.
var yamlParserProblems = regexp.MustCompile(`^(did not find expected (',' or '[\]}]'|'-' indicator|<document start>|<stream-start>|key|node content)|found (duplicate %(TAG|YAML) directive|incompatible YAML document|undefined tag handle))$`)

// yamlError turns yaml.v3's syntax errors ("yaml: line 3: ...") into
// diagnostics. yaml.v3 gives no column, so the caret goes under the first
// non-blank character of the line, or under a tab in its indentation.
func (d *decoder) yamlError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if yamlParserProblems.MatchString(msg) {
			line++
		}
		line = min(line, bytes.Count(d.src.text, []byte("\n"))+1) // the end of a file without a last line break
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if blockEnd.MatchString(msg) {
		if bad, levels, ok := badIndent(d.src.text, line); ok {
			text, _ := SourceLine(d.src.text, bad)
			ind := len(text) - len(strings.TrimLeft(text, " "))
			d.report(SeverityError, Pos{d.src.file, bad, ind + 1}, 1, "yaml", indentHint(levels),
				"YAML syntax: this line is indented %d %s, which lines up with no block above it", ind, plural(ind, "space"))
			return
		}
	}
	col := 1
	hint := ""
	if text, ok := SourceLine(d.src.text, line); ok {
		indent := []rune(text)[:len([]rune(text))-len([]rune(strings.TrimLeft(text, " \t")))]
		col = len(indent) + 1
		if i := slices.Index(indent, '\t'); i >= 0 {
			col = i + 1
		}
		if strings.Contains(text, "\t") {
			hint = "YAML indentation must use spaces, not tabs"
		}
	}
	d.report(SeverityError, Pos{d.src.file, line, col}, 1, "yaml", hint, "YAML syntax: %s", msg)
}

// blockEnd matches the errors yaml.v3 gives when a line does not fit the
// block it is in, which it reports at the start of the block, not at the
// line.
var blockEnd = regexp.MustCompile(`^did not find expected (key|'-' indicator)$`)

// badIndent finds the line whose indentation breaks the block that starts
// at line from: going down from there, each line must be indented as one
// of the blocks still open (or deeper, opening one); the first that lines
// up with none is the one. It also returns the indentations that were open
// there, for the hint. Blank lines and comments do not count.
func badIndent(src []byte, from int) (line int, levels []int, ok bool) {
	first, ok := SourceLine(src, from)
	if !ok {
		return 0, nil, false
	}
	open := blocksOf(first)
	for n := from + 1; ; n++ {
		text, more := SourceLine(src, n)
		if !more {
			return 0, nil, false
		}
		body := strings.TrimLeft(text, " ")
		if body == "" || strings.HasPrefix(body, "#") {
			continue
		}
		ind := len(text) - len(body)
		if ind > open[len(open)-1] { // deeper: it opens blocks of its own
			open = append(open, blocksOf(text)...)
			continue
		}
		before := slices.Clone(open)
		for len(open) > 1 && ind < open[len(open)-1] {
			open = open[:len(open)-1]
		}
		if ind != open[len(open)-1] {
			return n, before, true
		}
		open = append(open[:len(open)-1], blocksOf(text)...)
	}
}

// blocksOf lists the indentations of the blocks a line opens: its own,
// and for each "- " that starts it, the column its entry's content starts
// at ("    - name: a" opens a list at 4 and a mapping at 6).
func blocksOf(text string) []int {
	ind := indentOf(text)
	out := []int{ind}
	rest := text[ind:]
	for strings.HasPrefix(rest, "- ") {
		body := strings.TrimLeft(rest[1:], " ")
		ind += len(rest) - len(body)
		rest = body
		if rest != "" && !strings.HasPrefix(rest, "#") {
			out = append(out, ind)
		}
	}
	return out
}

// indentOf is how many spaces a line starts with.
func indentOf(text string) int { return len(text) - len(strings.TrimLeft(text, " ")) }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// indentHint names the indentations a line could have had.
func indentHint(levels []int) string {
	words := make([]string, len(levels))
	for i, l := range levels {
		words[i] = strconv.Itoa(l)
	}
	list := words[0]
	if n := len(words); n > 1 {
		list = strings.Join(words[:n-1], ", ") + " or " + words[n-1]
	}
	return "indent it as the block it belongs to: " + list + " spaces"
}
