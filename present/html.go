package present

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The page's template, style and script, embedded: the page they make
// loads nothing, and its Content-Security-Policy says so to the browser.
var (
	//go:embed html/page.html html/page.css html/page.js
	assets       embed.FS
	pageTemplate = template.Must(template.ParseFS(assets, "html/page.html"))
	pageCSS      = mustAsset("html/page.css")
	pageJS       = mustAsset("html/page.js")
	// pageCSP allows the page's own style and script, by their hashes,
	// and nothing else: no request leaves the page.
	pageCSP = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src data:; base-uri 'none'; form-action 'none'",
		hashOf(pageCSS), hashOf(pageJS))
)

func mustAsset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// IsHTML reports whether a report path asks for the HTML page: it ends
// in .html or .htm, in any case.
func IsHTML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".html" || ext == ".htm"
}

// WriteHTML writes the page: one self-contained HTML file.
func (p *Page) WriteHTML(w io.Writer) error {
	v, err := p.view()
	if err != nil {
		return err
	}
	return pageTemplate.Execute(w, v)
}

// pageView is what the template reads.
type pageView struct {
	R            *Report
	Title        string
	CSP          string
	CSS          template.CSS
	JS           template.JS
	Data         template.JS // the timeline's JSON, for the script
	Wall         string
	Started      string
	StartedISO   string
	Ended        string
	Totals       []countView
	Legend       []countView
	Params       []paramView
	ScaleNote    string
	Stages       []stageView
	Slowest      []slowView
	Failures     []FailureText
	MoreFailures int
	FailureCount int
}

type countView struct {
	Class, Label string
	N            string
}

type paramView struct{ Name, Value string }

type slowView struct {
	Item, Duration, Status, Class, Worker string
	Index, Attempts                       int
}

func (p *Page) view() (*pageView, error) {
	data, err := json.Marshal(p.Timeline) // escapes <, > and &: nothing in it can close the script
	if err != nil {
		return nil, err
	}
	r := p.Report
	v := &pageView{R: r, Title: fmt.Sprintf("%s: %s · poolflow", r.Pipeline, r.Outcome), CSP: pageCSP,
		CSS: template.CSS(pageCSS), JS: template.JS(pageJS), Data: template.JS(data),
		Wall: msText(r.DurationMS), Started: r.Started.Format("2006-01-02 15:04:05.000 -07:00"),
		StartedISO: r.Started.Format(time.RFC3339Nano), Ended: endedSentence(r), Totals: totalsView(r.Totals),
		Legend: p.legend(), Params: paramsView(r.Params), ScaleNote: p.scaleNote(), Stages: stagesView(r.Stages),
		Slowest: p.slowView(), Failures: p.Failures, MoreFailures: p.MoreFailures, FailureCount: len(p.Failures) + p.MoreFailures}
	return v, nil
}

// endedSentence says how the run ended, for a run that did not succeed.
func endedSentence(r *Report) string {
	if r.Error == nil {
		return ""
	}
	what := "The run failed"
	if r.Outcome == "interrupted" {
		what = "The run was interrupted"
	}
	if r.EndedBy != nil {
		what += " at " + msText(r.EndedBy.AtMS)
	}
	return what + ": " + r.Error.Headline + "."
}

func totalsView(t Totals) []countView {
	out := []countView{{"items", "items", num(t.Items)}, {"ok", "ok", num(t.OK)}, {"skipped", "skipped", num(t.Skipped)},
		{"failed", "failed", num(t.Failed)}, {"cancelled", "cancelled", num(t.Cancelled)}, {"not-started", "not started", num(t.NotStarted)},
		{"retried", "retried", num(t.Retried)}}
	if t.Unread {
		out = append(out, countView{"unread", "and the rest of the source, not read", ""})
	}
	return out
}

// legend counts the attempts of each outcome, and the initializers.
func (p *Page) legend() []countView {
	var counts [outcomes]int
	inits := 0
	for _, l := range p.Timeline.Lanes {
		for o, n := range l.Counts {
			counts[o] += n
		}
		if l.Init != nil {
			inits++
		}
	}
	var out []countView
	if inits > 0 {
		out = append(out, countView{"init", "initializer", num(inits)})
	}
	for o := range outcomes {
		out = append(out, countView{o.String(), o.String(), num(counts[o])})
	}
	return out
}

func paramsView(params map[string]any) []paramView {
	var out []paramView
	for _, name := range slices.Sorted(mapKeysOf(params)) {
		b, _ := json.Marshal(params[name])
		out = append(out, paramView{name, string(b)})
	}
	return out
}

func mapKeysOf(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// scaleNote says how a binned timeline reads.
func (p *Page) scaleNote() string {
	tl := p.Timeline
	if tl.SliceMS == 0 {
		return ""
	}
	return fmt.Sprintf("The run made %s attempts, more than the %s this page draws one by one: each lane shows, per %s slice, "+
		"a column as tall as the worker was full (running attempts the whole slice, or starting as many as the busiest slice of any worker), "+
		"coloured by outcome; hover for the counts. Failed attempts (the first %s) and the %d slowest items stay bars.",
		num(p.bars), num(MaxBars), msText(tl.SliceMS), num(maxFailureBars), slowestShown)
}

// workerName is a worker as the page names it: its number, or in a
// distributed run its process and slot.
func workerName(node string, w int) string {
	if node != "" {
		return node + " slot " + strconv.Itoa(w)
	}
	return strconv.Itoa(w)
}

func (p *Page) slowView() []slowView {
	var out []slowView
	for _, s := range p.Slowest {
		out = append(out, slowView{Item: s.Item, Duration: msText(s.MS), Status: s.Status, Class: statusClass(s.Status),
			Index: s.Index, Attempts: s.Attempts, Worker: workerName(s.Node, s.Worker)})
	}
	return out
}

func statusClass(status string) string {
	if status == "ok" || status == "skipped" || status == "failed" {
		return status
	}
	return "cancelled"
}

// num writes a count with thousands separators.
func num(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
