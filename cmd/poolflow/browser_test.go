package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite the screenshots the README shows (examples/*/timeline.png)")

// The HTML report checked in a real browser: Debian's chromium, headless,
// driven through the DevTools protocol (github.com/chromedp/chromedp).
// It skips when chromium is not installed; .ci/run installs it.

// browser starts a headless chromium for the test, or skips it.
func browser(t *testing.T) (context.Context, *pageEvents) {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it): the page is not checked in a browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.NoFirstRun, chromedp.WindowSize(1200, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(ctx); err != nil { // starts it, with the runtime, log and network domains on
		t.Fatalf("starting chromium: %v", err)
	}
	ev := &pageEvents{}
	if err := chromedp.Listen(ctx, ev.hear); err != nil {
		t.Fatal(err)
	}
	return ctx, ev
}

// pageEvents keeps what a page said on its console and what it asked the
// network for.
type pageEvents struct {
	mu       sync.Mutex
	console  []string // errors and warnings: console calls, exceptions, the browser's own (CSP) messages
	requests []string
}

func (e *pageEvents) hear(ev any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev := ev.(type) {
	case *cdpruntime.EventConsoleAPICalled:
		if ev.Type == cdpruntime.ConsoleAPICalledTypeError || ev.Type == cdpruntime.ConsoleAPICalledTypeWarning || ev.Type == cdpruntime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.TrimSpace(string(a.Value)+" "+a.Description))
			}
			e.console = append(e.console, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *cdpruntime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		e.console = append(e.console, fmt.Sprintf("exception at %d:%d: %s", d.LineNumber+1, d.ColumnNumber+1, text))
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
			e.console = append(e.console, fmt.Sprintf("%s: %s", ev.Entry.Source, ev.Entry.Text))
		}
	case *network.EventRequestWillBeSent:
		e.requests = append(e.requests, ev.Request.URL)
	}
}

// check fails the test for any console message, and for any request but
// the page's own.
func (e *pageEvents) check(t *testing.T, page string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.console {
		t.Errorf("the page said: %s", m)
	}
	for _, u := range e.requests {
		if u != page {
			t.Errorf("the page asked for %s", u)
		}
	}
	e.console, e.requests = nil, nil
}

// open loads a page and waits until its script has drawn the timeline.
func open(t *testing.T, ctx context.Context, events *pageEvents, path string) string {
	t.Helper()
	url := "file://" + path
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("html[data-drawn]"))); err != nil {
		events.check(t, url)
		t.Fatalf("opening %s, the timeline was never drawn: %v", path, err)
	}
	return url
}

func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// The fail-fast example's page: eight labelled lanes, a bar for the job
// that failed and for each of the seven it cancelled, the abort line;
// hovering the failed bar, or reaching it with the keyboard, shows its
// headline; the arrow keys move between lanes; Enter goes to its failure; the page makes no request and says
// nothing on the console, in light and dark mode. Its timeline is the
// screenshot examples/fail-fast/README.md and README.md show.
func TestReportPageInABrowser(t *testing.T) {
	ctx, events := browser(t)
	t.Chdir(repoRoot()) // the example runs with the README's command line
	page := filepath.Join(t.TempDir(), "fail-fast.html")
	if code, _, stderr := runMain("run", "-q", "examples/fail-fast/pipeline.yaml", "--report", page); code != exitFailed {
		t.Fatalf("fail-fast: exit %d, want %d: %s", code, exitFailed, stderr)
	}
	url := open(t, ctx, events, page)
	events.check(t, url)

	lanes := evaluate[[]string](t, ctx, `[...document.querySelectorAll(".lane")].map(l => l.getAttribute("aria-label").split(":")[0])`)
	if want := "worker 0,worker 1,worker 2,worker 3,worker 4,worker 5,worker 6,worker 7"; strings.Join(lanes, ",") != want {
		t.Errorf("lanes labelled %q, want %q", lanes, want)
	}
	bars := evaluate[map[string]int](t, ctx, `Object.fromEntries(["ok","retried","skipped","failed","cancelled"].map(o => [o, document.querySelectorAll(".bar.o-"+o).length]))`)
	if want := map[string]int{"ok": 0, "retried": 0, "skipped": 0, "failed": 1, "cancelled": 7}; fmt.Sprint(bars) != fmt.Sprint(want) {
		t.Errorf("bars %v, want %v", bars, want)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll(".endline").length`); n != 8 {
		t.Errorf("the abort line crosses %d lanes, want 8", n)
	}

	const headline = "map/step 1: item 3 (3) failed (abort-all)"
	// Hovering the failed bar shows its headline.
	box := evaluate[[]float64](t, ctx, `(r => [r.left + r.width/2, r.top + r.height/2])(document.querySelector(".bar.o-failed").getBoundingClientRect())`)
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, box[0], box[1])); err != nil {
		t.Fatal(err)
	}
	if tip := tipText(t, ctx); firstLine(tip) != headline {
		t.Errorf("hovering the failed bar shows %q, want its headline %q", tip, headline)
	}
	screenshot(t, ctx, filepath.Join("examples", "fail-fast", "timeline.png")) // with the failed bar's tooltip
	// So does reaching it with Tab; Enter goes to its failure.
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, 1, 1), chromedp.Focus(chromedp.CSS("a.skip"))); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if evaluate[bool](t, ctx, `document.activeElement.matches(".bar.o-failed")`) {
			break
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
	}
	if !evaluate[bool](t, ctx, `document.activeElement.matches(".bar.o-failed")`) {
		t.Fatal("Tab never reached the failed bar")
	}
	if tip := tipText(t, ctx); firstLine(tip) != headline {
		t.Errorf("focusing the failed bar shows %q, want its headline %q", tip, headline)
	}
	// The arrow keys go to the next lane and back.
	lane := evaluate[int](t, ctx, `+document.activeElement.dataset.lane`)
	away, back, want := kb.ArrowUp, kb.ArrowDown, lane-1
	if lane == 0 {
		away, back, want = kb.ArrowDown, kb.ArrowUp, 1
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(away)); err != nil {
		t.Fatal(err)
	}
	if got := evaluate[int](t, ctx, `document.activeElement.matches(".bar") ? +document.activeElement.dataset.lane : -1`); got != want {
		t.Errorf("an arrow key from lane %d went to lane %d, want %d", lane, got, want)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(back)); err != nil {
		t.Fatal(err)
	}
	if !evaluate[bool](t, ctx, `document.activeElement.matches(".bar.o-failed")`) {
		t.Error("the arrow key back did not return to the failed bar")
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if id := evaluate[string](t, ctx, `document.activeElement.id`); id != "failure-0" {
		t.Errorf("Enter on the failed bar focuses %q, want failure-0", id)
	}
	events.check(t, url)

	dark := chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia,
			emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	})
	if err := chromedp.Do(ctx, dark); err != nil {
		t.Fatal(err)
	}
	if bg := evaluate[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(13, 17, 23)" {
		t.Errorf("in dark mode the page's background is %s, want rgb(13, 17, 23)", bg)
	}
	events.check(t, url)
}

func tipText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return evaluate[string](t, ctx, `document.getElementById("tip").hidden ? "(hidden)" : document.getElementById("tip").textContent`)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// screenshot takes the picture of the page's header and timeline; with
// -update-screenshots it becomes the one the READMEs show, else it is only
// checked to be one.
func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("header, #timeline")))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.ScreenshotNodes(nodes, 1))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is no PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w < 800 {
		t.Errorf("the screenshot is %d pixels wide, want the timeline's width", w)
	}
	if *updateScreenshots {
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A page of a million items (16 workers, one item in a hundred failing
// twice) opens in about a second: the test says how long it took, and
// fails only past a generous bound. The page is built through present's
// API, as a run builds it, with the items made up as they go.
func TestMillionItemPageOpensQuickly(t *testing.T) {
	ctx, events := browser(t)
	path := filepath.Join(t.TempDir(), "million.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := millionPage().WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	info, _ := os.Stat(path)
	url := open(t, ctx, events, path)
	events.check(t, url)
	// performance.now() when the script ends is the time from the start of
	// the navigation to the timeline drawn.
	drawn := evaluate[string](t, ctx, `document.documentElement.dataset.drawn`)
	loaded := evaluate[float64](t, ctx, `performance.getEntriesByType("navigation")[0].loadEventEnd`)
	t.Logf("a million items: a page of %d bytes, the timeline drawn %sms and the page loaded %.0fms after the navigation started", info.Size(), drawn, loaded)
	if loaded > 5000 {
		t.Errorf("the page took %.0fms to load, want about a second", loaded)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll(".lane canvas").length`); n != 16 {
		t.Errorf("%d heat strips, want one per lane, 16", n)
	}
}

// millionPage is the page of a made-up run of a million items.
func millionPage() *present.Page {
	const n, workers = 1000000, 16
	p := present.NewPage()
	ok := []present.AttemptJSON{{}}
	for i := range n {
		it := present.ItemJSON{Index: i, Item: fmt.Sprintf("in/file-%07d.csv", i), Status: "ok", Worker: i % workers}
		start := float64(i/workers)*0.16 + 1
		if i%100 == 99 {
			e := &dsl.ErrorValue{Kind: "exit", Headline: fmt.Sprintf("map/convert: item %d %q failed after 2 of 2 attempts (retry, then skip)", i, it.Item),
				Index: i, Attempts: 2, Code: 1, Stderr: "bad header", Command: []string{"/bin/sh", "-c", "convert"}}
			it.Status = "skipped"
			it.Attempts = []present.AttemptJSON{{StartedMS: start, DurationMS: 0.05, Error: e}, {StartedMS: start + 0.08, DurationMS: 0.05, Error: e}}
		} else {
			ok[0] = present.AttemptJSON{StartedMS: start, DurationMS: 0.15}
			it.Attempts = ok
		}
		p.Add(it)
	}
	r := &present.Report{Pipeline: "million", File: "pipeline.yaml", Outcome: "succeeded", DurationMS: float64(n/workers)*0.16 + 2,
		Params: map[string]any{}, Totals: present.Totals{Items: n, OK: n - n/100, Skipped: n / 100, Retried: n / 100},
		Workers: make([]present.WorkerJSON, workers)}
	for w := range r.Workers {
		r.Workers[w] = present.WorkerJSON{Worker: w, Initializer: &present.InitJSON{DurationMS: 1, Status: "ok"}}
	}
	p.Finish(r)
	return p
}
