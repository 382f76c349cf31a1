package builtins

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTPResponse is the result of http_get. Its expr tags let expressions
// write resp.status, resp.body and resp.headers, checked at load time.
type HTTPResponse struct {
	Status  int               `expr:"status"`  // status code, such as 200
	Body    string            `expr:"body"`    // the whole body
	Headers map[string]string `expr:"headers"` // first value of each header, by canonical name
}

// maxBody is the largest response body http_get reads.
const maxBody = 32 << 20

// httpGet implements http_get(url). A response of any status is a result,
// not an error; only a failed request or an oversized body is an error.
func httpGet(args ...any) (any, error) {
	ctx, url, err := ctxString("http_get", args)
	if err != nil {
		return nil, err
	}
	resp, err := get(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("http_get: %w", err)
	}
	return resp, nil
}

// get fetches url with the Scope's client and reads the response.
func get(ctx context.Context, url string) (HTTPResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return HTTPResponse{}, err
	}
	resp, err := ScopeFrom(ctx).client().Do(req)
	if err != nil {
		return HTTPResponse{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return HTTPResponse{}, fmt.Errorf("reading body of %q: %w", url, err)
	}
	if len(body) > maxBody {
		return HTTPResponse{}, fmt.Errorf("body of %q is larger than 32 MiB", url)
	}
	return HTTPResponse{Status: resp.StatusCode, Body: string(body), Headers: firstValues(resp.Header)}, nil
}

// firstValues keeps the first value of each header.
func firstValues(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	return m
}
