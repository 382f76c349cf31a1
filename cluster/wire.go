package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/journal"
	"github.com/poolflow/poolflow/runtime"
)

// Protocol is the version of what goes over the wire: the messages, the
// keys and their values.
const Protocol = 1

// Pipeline is what a submitter publishes of its run: enough for a worker
// to compile the same plan, and its hash to check it by.
type Pipeline struct {
	Run      string            `json:"run"`
	File     string            `json:"file"`   // the path as the submitter named it; positions in failures use it
	Dir      string            `json:"dir"`    // the absolute folder relative paths resolve against
	Source   string            `json:"source"` // the pipeline file's text
	Hash     string            `json:"hash"`   // Hash(Source, Params)
	Params   map[string]string `json:"params,omitempty"`
	AckWait  time.Duration     `json:"ack_wait"`
	Protocol int               `json:"protocol"` // the wire's version: a worker of another one refuses the run
}

// Hash is the pipeline's identity: its text and the parameters it was
// given, as a hex SHA-256.
func Hash(source []byte, params map[string]string) string {
	h := sha256.New()
	h.Write(source)
	b, _ := json.Marshal(params) // a map of strings: sorted keys, never an error
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// itemMsg is a work message: one item.
type itemMsg struct {
	Index int             `json:"index"`
	Item  json.RawMessage `json:"item"` // journal's typed encoding
}

// resultMsg is an item's result, as a worker stores it.
type resultMsg struct {
	Verdict  runtime.Verdict `json:"verdict"`
	Result   json.RawMessage `json:"result,omitempty"`
	Err      *dsl.ErrorValue `json:"error,omitempty"`
	Attempts int             `json:"attempts"`
	Failed   []attemptMsg    `json:"failed,omitempty"`
	Last     time.Time       `json:"last"`
	Worker   int             `json:"worker"`
	Node     string          `json:"node"`
	Runs     int             `json:"runs"`
	Reads    []string        `json:"reads,omitempty"`
}

type attemptMsg struct {
	Started  time.Time      `json:"started"`
	Duration time.Duration  `json:"duration"`
	Err      dsl.ErrorValue `json:"error"`
}

func encodeItem(index int, item any) ([]byte, error) {
	raw, err := journal.EncodeValue(item)
	if err != nil {
		return nil, fmt.Errorf("item %d cannot be sent: %w", index, err)
	}
	return json.Marshal(itemMsg{Index: index, Item: raw})
}

func decodeItem(data []byte) (int, any, error) {
	var m itemMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return 0, nil, fmt.Errorf("a work message that is no item: %w", err)
	}
	item, err := journal.DecodeValue(m.Item)
	if err != nil {
		return 0, nil, fmt.Errorf("item %d cannot be read: %w", m.Index, err)
	}
	return m.Index, item, nil
}

// encodeResult is ran on the wire. A result that the typed encoding
// cannot hold (NaN) is a failure of the item.
func encodeResult(ran runtime.Ran, node string, runs int) ([]byte, error) {
	m := resultMsg{Verdict: ran.Verdict, Attempts: ran.Attempts, Last: ran.Last, Worker: ran.Worker, Node: node,
		Runs: runs, Reads: ran.Reads}
	if ran.Err != nil {
		v := ran.Err.Value()
		m.Err = &v
	}
	if ran.Verdict == runtime.VerdictOK {
		raw, err := journal.EncodeValue(ran.Result)
		if err != nil {
			return nil, fmt.Errorf("the result of item cannot be sent: %w", err)
		}
		m.Result = raw
	}
	for _, a := range ran.Failed {
		m.Failed = append(m.Failed, attemptMsg{Started: a.Started, Duration: a.Duration, Err: a.Err.Value()})
	}
	return json.Marshal(m)
}

func decodeResult(data []byte) (runtime.Ran, error) {
	var m resultMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return runtime.Ran{}, fmt.Errorf("a result that cannot be read: %w", err)
	}
	ran := runtime.Ran{Verdict: m.Verdict, Attempts: m.Attempts, Last: m.Last, Worker: m.Worker, Node: m.Node,
		Runs: m.Runs, Reads: m.Reads}
	if m.Err != nil {
		ran.Err = runtime.ErrorFrom(*m.Err)
	}
	if m.Result != nil {
		v, err := journal.DecodeValue(m.Result)
		if err != nil {
			return ran, fmt.Errorf("a result that cannot be read: %w", err)
		}
		ran.Result = v
	}
	for _, a := range m.Failed {
		ran.Failed = append(ran.Failed, runtime.Attempt{Started: a.Started, Duration: a.Duration, Err: runtime.ErrorFrom(a.Err)})
	}
	return ran, nil
}
