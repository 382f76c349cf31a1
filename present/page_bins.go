package present

// place puts a bar on its lane: as a bar until there are MaxBars of them,
// then in the lane's bins, the failed ones as bars as well.
func (p *Page) place(l *Lane, b Bar) {
	p.bars++
	l.Counts[b.Outcome]++
	p.maxEndUS = max(p.maxEndUS, us(b.StartMS+b.DurationMS))
	if p.bars > MaxBars && p.sliceUS == 0 {
		p.startBinning()
	}
	if p.sliceUS == 0 {
		l.Bars = append(l.Bars, b)
		p.order = append(p.order, l)
		return
	}
	p.bin(l, b)
	p.keepFailure(l, b)
}

// keepFailure keeps a failed attempt as a bar on a binned lane, while
// there are fewer than maxFailureBars.
func (p *Page) keepFailure(l *Lane, b Bar) {
	if b.Outcome != OutcomeOK && p.failureBars < maxFailureBars && l.keep(b) {
		p.failureBars++
	}
}

// startBinning turns the bars so far into bins, keeping the failed ones.
func (p *Page) startBinning() {
	p.sliceUS = 1
	for p.maxEndUS >= maxSlices*p.sliceUS {
		p.sliceUS *= 2
	}
	bars := map[*Lane][]Bar{}
	for _, l := range p.Timeline.Lanes {
		bars[l], l.Bars = l.Bars, []Bar{}
		l.startBins()
	}
	for _, l := range p.order { // in the order they came: the first failures stay bars
		b := bars[l][0]
		bars[l] = bars[l][1:]
		p.bin(l, b)
		p.keepFailure(l, b)
	}
	p.order = nil
}

func (l *Lane) startBins() {
	l.Bins, l.busyUS, l.index = make([]int, maxSlices*int(outcomes)), make([]int64, maxSlices*int(outcomes)), map[[2]int]bool{}
}

// keep shows a bar on a binned lane, once.
func (l *Lane) keep(b Bar) bool {
	key := [2]int{b.Index, b.Attempt}
	if l.index[key] {
		return false
	}
	l.index[key] = true
	l.Bars = append(l.Bars, b)
	return true
}

// bin counts a bar in the slice it starts in, and its time in each slice
// it spans, first doubling the slices until it fits.
func (p *Page) bin(l *Lane, b Bar) {
	from, to := us(b.StartMS), us(b.StartMS+b.DurationMS)
	for to >= maxSlices*p.sliceUS {
		p.doubleSlices()
	}
	o := int64(outcomes)
	l.Bins[from/p.sliceUS*o+int64(b.Outcome)]++
	for s := from / p.sliceUS; s <= to/p.sliceUS; s++ {
		if d := min(to, (s+1)*p.sliceUS) - max(from, s*p.sliceUS); d > 0 {
			l.busyUS[s*o+int64(b.Outcome)] += d
		}
	}
}

// doubleSlices makes the slices twice as long, merging pairs.
func (p *Page) doubleSlices() {
	p.sliceUS *= 2
	for _, l := range p.Timeline.Lanes {
		l.mergePairs()
	}
}

func (l *Lane) mergePairs() {
	n, o := len(l.Bins)/int(outcomes), int(outcomes)
	for s := 0; s < n; s++ {
		for k := 0; k < o; k++ {
			c, b := 0, int64(0)
			if 2*s < n {
				c, b = l.Bins[2*s*o+k], l.busyUS[2*s*o+k]
			}
			if 2*s+1 < n {
				c, b = c+l.Bins[(2*s+1)*o+k], b+l.busyUS[(2*s+1)*o+k]
			}
			l.Bins[s*o+k], l.busyUS[s*o+k] = c, b
		}
	}
}

// finishBins settles the slices: no more of them than the lanes may
// have together, the slowest items as bars, busy time as percentages.
func (p *Page) finishBins() {
	tl := &p.Timeline
	limit := int64(min(maxSlices, max(minSlices, maxCells/len(tl.Lanes))))
	axisUS := max(us(tl.DurationMS), p.maxEndUS)
	for axisUS >= limit*p.sliceUS {
		p.doubleSlices()
	}
	tl.Slices = int(axisUS/p.sliceUS) + 1
	tl.SliceMS = float64(p.sliceUS) / 1000
	for _, s := range p.Slowest { // the slowest items stay bars on a binned timeline
		for _, b := range s.bars {
			p.lane(s.Node, s.Worker).keep(b)
		}
	}
	n := tl.Slices * int(outcomes)
	for _, l := range tl.Lanes {
		l.Bins, l.Busy = l.Bins[:n], make([]int, n)
		for i, d := range l.busyUS[:n] {
			l.Busy[i] = min(100, int((d*100+p.sliceUS/2)/p.sliceUS))
		}
	}
}
