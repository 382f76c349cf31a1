// Command serve serves the http-check example's fake API on 127.0.0.1:8080
// (or -addr), so that the example can be run by hand:
//
//	go run ./examples/http-check/serve &
//	go run ./cmd/poolflow run examples/http-check/pipeline.yaml
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/poolflow/poolflow/examples/http-check/fakeapi"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log.Printf("serving the http-check fake API on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, fakeapi.Handler()))
}
