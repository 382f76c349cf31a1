package present

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ReadPage builds the page of the JSON report read from in (`poolflow
// report run.json -o run.html`), the page `run --report run.html` writes
// for the same run: its items are streamed one at a time, its keys may
// come in any order.
func ReadPage(in io.Reader) (*Page, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(in, 1<<20))
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	head := map[string]json.RawMessage{}
	p := NewPage()
	sawItems := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not a poolflow run report: %w", err)
		}
		if key == "items" {
			sawItems = true
			if err := readItems(dec, p); err != nil {
				return nil, err
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("not a poolflow run report: %s: %w", key, err)
		}
		head[key.(string)] = raw
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if !sawItems || head["pipeline"] == nil {
		return nil, errors.New("not a poolflow run report: it has no pipeline or no items")
	}
	r, err := factsOf(head)
	if err != nil {
		return nil, err
	}
	p.Finish(r)
	return p, nil
}

// readItems reads the items array into the page.
func readItems(dec *json.Decoder, p *Page) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for n := 0; dec.More(); n++ {
		var it ItemJSON
		if err := dec.Decode(&it); err != nil {
			return fmt.Errorf("not a poolflow run report: items[%d]: %w", n, err)
		}
		p.Add(it)
	}
	return expectDelim(dec, ']')
}

// factsOf is the report's facts, from its keys but the items.
func factsOf(head map[string]json.RawMessage) (*Report, error) {
	text, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(text, &r); err != nil {
		return nil, fmt.Errorf("not a poolflow run report: %w", err)
	}
	return &r, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not a poolflow run report: %w", err)
	}
	if tok != want {
		return fmt.Errorf("not a poolflow run report: %v where %v was expected", tok, want)
	}
	return nil
}

// pageFacts is what a page made during the run is finished with: the
// report's facts as its JSON says them, so that the page is the one the
// JSON report makes.
func pageFacts(r *Report) (*Report, error) {
	text, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var facts Report
	if err := json.Unmarshal(text, &facts); err != nil {
		return nil, err
	}
	return &facts, nil
}
