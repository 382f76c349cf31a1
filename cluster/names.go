package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RunsBucket lists the runs that workers may join, a key per run.
const RunsBucket = "poolflow-runs"

// consumerName is the one durable pull consumer every worker of a run shares.
const consumerName = "workers"

// State values of a run's state key.
const (
	stateRunning = "running"
	stateAborted = "aborted"
	stateDone    = "done"
	// stateDraining: take no new item, finish the running ones (spec.md §6.12).
	stateDraining = "draining"
)

// maxWaiting is how many pulls of workers the server keeps waiting at
// once: one per slot, so it is the most slots a run can have across
// every machine (the server's default is 512).
const maxWaiting = 10000

// DefaultAckWait is how long a worker may hold an item without a
// heartbeat before it is handed to another worker; a worker sends
// InProgress every third of it while an item runs.
const DefaultAckWait = 30 * time.Second

// connectTimeout bounds connecting to the server.
const connectTimeout = 10 * time.Second

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckRunID says whether id can name a run: letters, digits, - and _,
// at most 64 of them (it is part of stream and bucket names).
func CheckRunID(id string) error {
	if !runIDPattern.MatchString(id) {
		return fmt.Errorf("run ID %q: use letters, digits, - and _, at most 64", id)
	}
	return nil
}

// NewRunID is a fresh run ID: the time and random digits.
func NewRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}

func streamName(run string) string  { return "PF_" + run }
func bucketName(run string) string  { return "PF_" + run }
func itemSubject(run string) string { return "poolflow." + run + ".items" }
func resultKey(index int) string    { return "result." + strconv.Itoa(index) }

// nodeName names this process among a run's workers: host and pid.
func nodeName(suffix string) string {
	host, _ := os.Hostname()
	return host + "-" + strconv.Itoa(os.Getpid()) + suffix
}

// Conn is a connection to a JetStream server.
type Conn struct {
	NC *nats.Conn
	JS jetstream.JetStream
}

// Connect connects to url (nats://, tls://, with user:pass@ if need be),
// with the credentials file creds when it is not empty.
func Connect(url, creds string) (*Conn, error) {
	opts := []nats.Option{nats.Name("poolflow"), nats.Timeout(connectTimeout), nats.MaxReconnects(-1),
		nats.ErrorHandler(quiet)} // a watch of a run that was removed says so; the run's end is known already
	if creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	return &Conn{NC: nc, JS: js}, nil
}

func quiet(*nats.Conn, *nats.Subscription, error) {}

// Close closes the connection.
func (c *Conn) Close() { c.NC.Close() }
