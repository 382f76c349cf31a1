package present

import "fmt"

// stageView is one stage's histogram, drawn as an SVG by the template.
type stageView struct {
	Name, P50, P95, Max string
	Runs                string
	Width, Height       int
	Label               string
	Bars                []histBar
	From, To            string
}

// histBar is one bin of a histogram, in the SVG's units.
type histBar struct {
	X, Y, W, H float64
	Title      string
}

const (
	histBinWidth = 10
	histHeight   = 50
)

func stagesView(stages []ReportStage) []stageView {
	var out []stageView
	for _, s := range stages {
		out = append(out, stageOf(s))
	}
	return out
}

func stageOf(s ReportStage) stageView {
	v := stageView{Name: s.Stage, Runs: counted(int(s.Runs), "run"), P50: msText(s.P50MS), P95: msText(s.P95MS), Max: msText(s.MaxMS),
		Width: max(1, len(s.Histogram)) * histBinWidth, Height: histHeight}
	var most BinJSON
	for _, b := range s.Histogram {
		if b.Count > most.Count {
			most = b
		}
	}
	for i, b := range s.Histogram {
		h := 0.0
		if b.Count > 0 {
			h = max(1, float64(histHeight)*float64(b.Count)/float64(most.Count))
		}
		v.Bars = append(v.Bars, histBar{X: float64(i*histBinWidth) + 1, Y: histHeight - h, W: histBinWidth - 2, H: h,
			Title: fmt.Sprintf("≤ %s: %s", msText(b.UpToMS), counted(int(b.Count), "run"))})
	}
	if n := len(s.Histogram); n > 0 {
		v.From, v.To = "≤ "+msText(s.Histogram[0].UpToMS), "≤ "+msText(s.Histogram[n-1].UpToMS)
		v.Label = fmt.Sprintf("durations of the %s of %s, from %s to %s; most (%s) took %s", v.Runs, s.Stage, v.From, v.To,
			num(int(most.Count)), "≤ "+msText(most.UpToMS))
	} else {
		v.Label = "no run of " + s.Stage
	}
	return v
}

// counted writes a count and a noun, with an s unless there is one.
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return num(n) + " " + noun + "s"
}
