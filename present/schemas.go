package present

import "reflect"

// ReportSchema is the JSON Schema (draft-07) of the report of `run
// --report`, generated from the Report type: every report poolflow
// writes validates against it. schema/report.schema.json is a copy.
func ReportSchema() map[string]any {
	defs := map[string]any{}
	s := schemaOf(reflect.TypeOf(Report{}), defs)
	return document(s, defs, "poolflow run report", "the report poolflow run --report writes (spec.md §9.6)")
}

// EventsSchema is the JSON Schema (draft-07) of one line of `run --format
// json`: one of the event types, told apart by type. schema/events.schema.json
// is a copy.
func EventsSchema() map[string]any {
	defs := map[string]any{}
	var one []any
	for _, t := range []reflect.Type{reflect.TypeOf(DiagnosticEvent{}), reflect.TypeOf(LogEvent{}),
		reflect.TypeOf(RetryEvent{}), reflect.TypeOf(FailureEvent{}), reflect.TypeOf(DrainEvent{}), reflect.TypeOf(SummaryEvent{})} {
		one = append(one, schemaOf(t, defs))
	}
	return document(map[string]any{"oneOf": one}, defs, "poolflow run event",
		"one JSON line of poolflow run --format json (spec.md §9.5)")
}

// TestsSchema is the JSON Schema (draft-07) of one line of `poolflow
// test --format json`: one test's result. schema/tests.schema.json is a
// copy.
func TestsSchema() map[string]any {
	defs := map[string]any{}
	s := schemaOf(reflect.TypeOf(TestJSON{}), defs)
	return document(s, defs, "poolflow test result", "one JSON line of poolflow test --format json (spec.md §11)")
}

func document(s, defs map[string]any, title, description string) map[string]any {
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["title"] = title
	s["description"] = description
	if len(defs) > 0 {
		s["definitions"] = defs
	}
	return s
}
