package cluster

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultListen is where an embedded server listens unless told: NATS's
// usual port, on the loopback interface only, so that nothing is exposed
// by default (--listen 0.0.0.0:4222 lets other machines in).
const DefaultListen = "127.0.0.1:4222"

// readyTimeout bounds the wait for an embedded server to take clients.
const readyTimeout = 10 * time.Second

// Embedded is a JetStream server run inside the submitter.
type Embedded struct {
	srv   *server.Server
	store string
}

// StartEmbedded starts a JetStream server listening on addr (HOST:PORT;
// port 0 picks a free one), keeping its streams in a temporary folder
// that Shutdown removes.
func StartEmbedded(addr string) (*Embedded, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("--listen %q: the port must be a number from 0 to 65535", addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	store, err := os.MkdirTemp("", "poolflow-nats-")
	if err != nil {
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	opts := &server.Options{Host: host, Port: port, JetStream: true, StoreDir: store, NoLog: true, NoSigs: true}
	srv, err := server.NewServer(opts)
	if err != nil {
		os.RemoveAll(store)
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		os.RemoveAll(store)
		return nil, fmt.Errorf("embedded server: cannot listen on %s", addr)
	}
	return &Embedded{srv: srv, store: store}, nil
}

// URL is where clients connect: nats://HOST:PORT.
func (e *Embedded) URL() string { return e.srv.ClientURL() }

// Shutdown stops the server and removes its folder.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	os.RemoveAll(e.store)
}
