package dsl

import (
	"testing"
	"time"
)

func TestPolicyWait(t *testing.T) {
	const ms = time.Millisecond
	constant := Policy{Delay: 100 * ms, Backoff: BackoffConstant, MaxDelay: 5 * time.Second}
	exponential := Policy{Delay: 100 * ms, Backoff: BackoffExponential, MaxDelay: time.Second}
	capped := Policy{Delay: 300 * ms, Backoff: BackoffExponential, MaxDelay: 500 * ms}
	jittered := Policy{Delay: time.Second, Backoff: BackoffConstant, MaxDelay: 2 * time.Second, Jitter: 0.2}
	jitteredCap := Policy{Delay: 400 * ms, Backoff: BackoffExponential, MaxDelay: time.Second, Jitter: 0.5}
	tests := []struct {
		name string
		p    Policy
		n    int
		rnd  float64
		want time.Duration
	}{
		{"constant, first", constant, 1, 0.5, 100 * ms},
		{"constant, fifth", constant, 5, 0.5, 100 * ms},
		{"exponential, first", exponential, 1, 0, 100 * ms},
		{"exponential, second", exponential, 2, 0, 200 * ms},
		{"exponential, third", exponential, 3, 0, 400 * ms},
		{"exponential, fourth", exponential, 4, 0, 800 * ms},
		{"exponential, capped", exponential, 5, 0, time.Second},
		{"exponential, long capped", exponential, 1000, 0, time.Second},
		{"max_delay caps the first wait's doubling", capped, 2, 0, 500 * ms},
		{"max_delay equal to delay", Policy{Delay: time.Second, Backoff: BackoffExponential, MaxDelay: time.Second}, 3, 0, time.Second},
		{"no delay", Policy{Backoff: BackoffExponential, MaxDelay: time.Second}, 3, 0, 0},
		{"jitter, lowest", jittered, 1, 0, 800 * ms},
		{"jitter, middle", jittered, 1, 0.5, time.Second},
		{"jitter, three quarters", jittered, 1, 0.75, 1100 * ms},
		{"jitter spreads the capped wait downwards", jitteredCap, 3, 0, 500 * ms},
		{"max_delay bounds the wait, jitter included", jitteredCap, 3, 0.75, time.Second},
		{"doubling a very long delay does not overflow", Policy{Delay: 1000000 * time.Hour, Backoff: BackoffExponential, MaxDelay: 2500000 * time.Hour}, 4, 0, 2500000 * time.Hour},
		{"an odd max_delay", Policy{Delay: 3, Backoff: BackoffExponential, MaxDelay: 7}, 1 << 62, 0, 7},
		{"no delay and many attempts", Policy{Backoff: BackoffExponential, MaxDelay: time.Second}, 1 << 62, 0, 0},
		{"the retry short form, second wait", Policy{Delay: DefaultDelay, Backoff: BackoffExponential, MaxDelay: DefaultMaxDelay}, 2, 0, 200 * ms},
	}
	for _, tt := range tests {
		if got := tt.p.Wait(tt.n, tt.rnd); got != tt.want {
			t.Errorf("%s: Wait(%d, %g) = %s, want %s", tt.name, tt.n, tt.rnd, got, tt.want)
		}
	}
}

// TestPolicyWaitJitterBounds checks every jittered wait stays within the
// share either way: 20% of 1s is 800ms up to, not including, 1200ms.
func TestPolicyWaitJitterBounds(t *testing.T) {
	p := Policy{Delay: time.Second, Backoff: BackoffConstant, MaxDelay: 2 * time.Second, Jitter: 0.2}
	lo, hi := 800*time.Millisecond, 1200*time.Millisecond
	for i := 0; i < 1000; i++ {
		rnd := float64(i) / 1000
		if got := p.Wait(1, rnd); got < lo || got >= hi {
			t.Fatalf("Wait(1, %g) = %s, want in [%s, %s)", rnd, got, lo, hi)
		}
	}
	if got := p.Wait(1, 0.9999999); got >= hi {
		t.Errorf("Wait(1, 0.9999999) = %s, want below %s", got, hi)
	}
}

func TestThresholdExceeded(t *testing.T) {
	count := func(n int) Threshold { return Threshold{Set: true, Count: n} }
	share := func(s float64) Threshold { return Threshold{Set: true, Share: s, IsPercent: true} }
	tests := []struct {
		name             string
		t                Threshold
		failed, finished int
		want             bool
	}{
		{"not set", Threshold{}, 1000, 1000, false},
		{"count, at it", count(2), 2, 2, false},
		{"count, past it", count(2), 3, 3, true},
		{"count 0, none failed", count(0), 0, 5, false},
		{"count 0, one failed", count(0), 1, 1, true},
		{"count ignores how many finished", count(2), 3, 1000, true},
		{"percent, below 10 finished, all failed", share(0.05), 9, 9, false},
		{"percent, at 10 finished, 1 failed", share(0.05), 1, 10, true},
		{"percent, at 10 finished, none failed", share(0.05), 0, 10, false},
		{"percent, 1 of 20 is exactly 5%", share(0.05), 1, 20, false},
		{"percent, 2 of 20", share(0.05), 2, 20, true},
		{"percent, 5 of 100", share(0.05), 5, 100, false},
		{"percent, 6 of 100", share(0.05), 6, 100, true},
		{"0%, none failed", share(0), 0, 50, false},
		{"0%, one failed", share(0), 1, 50, true},
		{"100% is never passed", share(1), 50, 50, false},
	}
	for _, tt := range tests {
		if got := tt.t.Exceeded(tt.failed, tt.finished); got != tt.want {
			t.Errorf("%s: %+v.Exceeded(%d, %d) = %v, want %v", tt.name, tt.t, tt.failed, tt.finished, got, tt.want)
		}
	}
}
