package builtins

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func newServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("x-thing", "first")
		w.Header().Add("x-thing", "second")
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "hello")
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not here", http.StatusNotFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", maxBody+1)))
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPGet(t *testing.T) {
	srv := newServer(t)
	headers := func(extra map[string]string) map[string]string {
		h := map[string]string{"Date": "", "Content-Length": ""}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	for _, c := range []struct {
		name string
		url  string
		want any
		err  string
	}{
		{"ok", srv.URL + "/ok", HTTPResponse{Status: 200, Body: "hello",
			Headers: headers(map[string]string{"X-Thing": "first", "Content-Type": "text/plain"})}, ""},
		{"not found", srv.URL + "/missing", HTTPResponse{Status: 404, Body: "not here\n",
			Headers: headers(map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"})}, ""},
		{"too big", srv.URL + "/big", nil, fmt.Sprintf("http_get: body of %q is larger than 32 MiB", srv.URL+"/big")},
		{"bad url", "::", nil, `http_get: parse "::": missing protocol scheme`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := callIn(t.Context(), &Scope{}, "http_get", c.url)
			if r, ok := got.(HTTPResponse); ok {
				r.Headers["Date"], r.Headers["Content-Length"] = "", ""
			}
			checkResult(t, got, err, c.want, c.err)
		})
	}
}

func TestHTTPGetCancel(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := callIn(ctx, &Scope{}, "http_get", srv.URL+"/hang")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("http_get returned after %v, want soon after the deadline", took)
	}
	want := fmt.Sprintf("http_get: Get %q: context deadline exceeded", srv.URL+"/hang")
	if !errors.Is(err, context.DeadlineExceeded) || errText(err) != want {
		t.Errorf("error %v, want %q wrapping context.DeadlineExceeded", err, want)
	}
}

func TestHTTPGetScopeClient(t *testing.T) {
	srv := newServer(t)
	var used bool
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	got, err := callIn(t.Context(), &Scope{HTTP: client}, "http_get", srv.URL+"/ok")
	if err != nil || got.(HTTPResponse).Body != "hello" || !used {
		t.Errorf("got %v, %v, client used %v; want hello through the Scope's client", got, err, used)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
