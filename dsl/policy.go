package dsl

import (
	"fmt"
	"time"
)

// Policy is a stage's error policy as plain data. The short forms and the
// long form of on_error all compile to it.
type Policy struct {
	Pos         Pos
	Attempts    int           // in all, the first included; 1 = no retry
	Delay       time.Duration // before the second attempt
	Backoff     string        // constant or exponential
	MaxDelay    time.Duration // cap on any one wait
	Jitter      float64       // each wait is spread by up to this share either way
	When        *Program      // retry only while it holds; nil = every kind but cancelled
	Then        string        // skip, abort-all or drain, once retries are spent or do not apply
	Fallback    *Program      // with skip in map: the failed item's result
	MaxFailures Threshold     // with skip in map: beyond it the run aborts, or drains
}

// Threshold is a count of failures or a share of finished items.
type Threshold struct {
	Set       bool
	Pos       Pos // where the value stands in the file
	Count     int
	Share     float64 // 0.05 for 5%
	IsPercent bool
	Then      string // what passing it during the run does: abort-all or drain
}

// MinFinishedForShare is how many items must have finished before a
// percentage max_failures applies, so that one early failure does not abort.
const MinFinishedForShare = 10

// Exceeded reports whether failed failures out of finished finished items
// pass the threshold while the run goes on: a share only once
// MinFinishedForShare items have finished.
func (t Threshold) Exceeded(failed, finished int) bool {
	if t.IsPercent && finished < MinFinishedForShare {
		return false
	}
	return t.ExceededAtEnd(failed, finished)
}

// ExceededAtEnd reports whether failed failures out of all finished items
// pass the threshold once every item has finished, however few they are.
func (t Threshold) ExceededAtEnd(failed, finished int) bool {
	switch {
	case !t.Set:
		return false
	case !t.IsPercent:
		return failed > t.Count
	}
	return float64(failed) > t.Share*float64(finished)
}

func (t Threshold) String() string {
	if t.IsPercent {
		return fmt.Sprintf("%g%%", t.Share*100)
	}
	return fmt.Sprint(t.Count)
}

// Backoff words.
const (
	BackoffConstant    = "constant"
	BackoffExponential = "exponential"
)

// Defaults of the retry policy, also the meaning of the short form "retry".
const (
	DefaultAttempts = 3
	DefaultDelay    = 100 * time.Millisecond
	DefaultMaxDelay = 5 * time.Second
)

// Wait returns how long to wait after failed attempt n (1-based) before the
// next one. rnd is a number in [0, 1) used for jitter.
func (p Policy) Wait(n int, rnd float64) time.Duration {
	d := p.Delay
	if p.Backoff == BackoffExponential {
		for i := 1; i < n && 0 < d && d < p.MaxDelay; i++ {
			d += min(d, p.MaxDelay-d) // doubles, up to MaxDelay, without overflowing
		}
	}
	if p.Jitter > 0 {
		d = time.Duration(float64(d) * (1 + p.Jitter*(2*rnd-1)))
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay // max_delay is the longest wait, jitter included
	}
	return d
}
