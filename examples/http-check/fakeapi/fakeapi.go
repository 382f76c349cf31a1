// Package fakeapi is the small HTTP service the http-check example checks:
// a few paths that answer at once, some that fail before they succeed,
// one that is not there and one that is too slow. The example's test
// serves it with httptest; `go run ./examples/http-check/serve` serves it
// on 127.0.0.1:8080 for trying the example by hand.
package fakeapi

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// SlowDelay is how long /reports/yearly takes to answer: longer than the
// example's timeout.
const SlowDelay = 2 * time.Second

// Handler returns a fresh service. A path that fails n times answers 500 to
// n requests out of every n+1, so each run of the example, against the same
// server, sees its first attempts fail and a later one succeed.
func Handler() http.Handler {
	s := &service{seen: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.ok)
	mux.HandleFunc("GET /users/42", s.ok)
	mux.HandleFunc("GET /orders", s.flaky(1))
	mux.HandleFunc("GET /invoices", s.flaky(2))
	mux.HandleFunc("GET /reports/yearly", s.slow)
	return mux
}

// service counts the requests of each path.
type service struct {
	mu   sync.Mutex
	seen map[string]int
}

func (s *service) ok(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "ok %s\n", r.URL.Path)
}

// flaky answers 500 to the first n of every n+1 requests.
func (s *service) flaky(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen[r.URL.Path]++
		count := s.seen[r.URL.Path]
		s.mu.Unlock()
		if count%(n+1) != 0 {
			http.Error(w, "database busy", http.StatusInternalServerError)
			return
		}
		s.ok(w, r)
	}
}

// slow answers after SlowDelay, or not at all when the client gives up.
func (s *service) slow(w http.ResponseWriter, r *http.Request) {
	select {
	case <-time.After(SlowDelay):
		s.ok(w, r)
	case <-r.Context().Done():
	}
}
