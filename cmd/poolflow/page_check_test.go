package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/poolflow/poolflow/present"
)

const timelineOpen = `<script type="application/json" id="timeline-data">`

// timelineData is the JSON an HTML report's script draws.
func timelineData(page string) (string, error) {
	_, rest, ok := strings.Cut(page, timelineOpen)
	data, _, closed := strings.Cut(rest, "</script>")
	if !ok || !closed {
		return "", errors.New("the page holds no timeline data")
	}
	return data, nil
}

var (
	cspPolicy = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[^"]+&#39;; script-src &#39;sha256-[^"]+&#39;; img-src data:; base-uri &#39;none&#39;; form-action &#39;none&#39;">`)
	srcAttr   = regexp.MustCompile(`<[a-zA-Z][^>]*\ssrc=`)
	hrefAttr  = regexp.MustCompile(`<[a-zA-Z][^>]*\shref="([^"]*)"`)
)

// pageProblems lists what keeps a page from being self-contained.
func pageProblems(page string) []string {
	var out []string
	if !strings.HasPrefix(page, "<!DOCTYPE html>\n") || !strings.HasSuffix(page, "</html>\n") {
		out = append(out, "not one whole HTML document")
	}
	if !cspPolicy.MatchString(page) {
		out = append(out, "no Content-Security-Policy that allows only the page's own style and script")
	}
	if srcAttr.MatchString(page) {
		out = append(out, "a src attribute: the page loads something")
	}
	for _, m := range hrefAttr.FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			out = append(out, fmt.Sprintf("a link to %q", m[1]))
		}
	}
	if len(page) > present.MaxPageBytes {
		out = append(out, fmt.Sprintf("%d bytes, more than %d", len(page), present.MaxPageBytes))
	}
	if _, err := timelineData(page); err != nil {
		out = append(out, err.Error())
	}
	return out
}
