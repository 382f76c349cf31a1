package cluster

import (
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// LostError is the cause a run ends with, on the submitter or on a
// worker, when the server has been out of reach for the run's ack wait:
// by then the server (if it comes back) has handed this worker's items to
// others, and no result could be stored or heard meanwhile.
type LostError struct {
	URL string
	For time.Duration
}

func (e *LostError) Error() string {
	if e.For == 0 {
		return fmt.Sprintf("lost the server %s: the connection closed", e.URL)
	}
	return fmt.Sprintf("lost the server %s: out of reach for %s", e.URL, e.For)
}

// watchLoss calls lost, once, when the connection has been out of reach
// for wait (disconnected and not reconnected), or was closed for good.
// A reconnection in time starts the count again. stop ends the watch and
// waits for it.
func (c *Conn) watchLoss(wait time.Duration, lost func(*LostError)) (stop func()) {
	if wait <= 0 {
		wait = DefaultAckWait
	}
	ch := c.NC.StatusChanged(nats.DISCONNECTED, nats.RECONNECTING, nats.CONNECTED, nats.CLOSED)
	done, ended := make(chan struct{}), make(chan struct{})
	url := c.NC.ConnectedUrlRedacted()
	go func() {
		defer close(ended)
		var timer *time.Timer
		var expired <-chan time.Time
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
		for {
			select {
			case s := <-ch:
				switch s {
				case nats.CONNECTED:
					if timer != nil {
						timer.Stop()
					}
					expired = nil
				case nats.CLOSED:
					lost(&LostError{URL: url, For: 0})
					return
				default: // disconnected, reconnecting: the count starts at the first
					if expired == nil {
						timer = time.NewTimer(wait)
						expired = timer.C
					}
				}
			case <-expired:
				lost(&LostError{URL: url, For: wait})
				return
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-ended
		c.NC.RemoveStatusListener(ch)
	}
}
