package dsl

import (
	"reflect"
	"sort"
)

// keyGroups names each node type's keys in KeyPaths and in spec.md.
var keyGroups = map[reflect.Type]string{
	reflect.TypeOf(Pipeline{}):        "",
	reflect.TypeOf(StageNode{}):       "stage",
	reflect.TypeOf(MapNode{}):         "map",
	reflect.TypeOf(CallbacksNode{}):   "callbacks",
	reflect.TypeOf(StepNode{}):        "step",
	reflect.TypeOf(PolicyNode{}):      "on_error",
	reflect.TypeOf(RetryNode{}):       "on_error.retry",
	reflect.TypeOf(MaxFailuresNode{}): "on_error.max_failures",
	reflect.TypeOf(OutputNode{}):      "output",
	reflect.TypeOf(LimitsNode{}):      "limits",
	reflect.TypeOf(FoldNode{}):        "output.fold",
	reflect.TypeOf(SchemaNode{}):      "schema",
	reflect.TypeOf(ColumnNode{}):      "column",
	reflect.TypeOf(TestNode{}):        "test",
	reflect.TypeOf(StubNode{}):        "test.stubs.STEP",
	reflect.TypeOf(ExpectNode{}):      "test.expect",
	reflect.TypeOf(ExpectItemNode{}):  "test.expect.items.N",
}

// KeyPaths lists every key the parser accepts, as GROUP.KEY: "version",
// "map.result", "step.expr", "on_error.retry.attempts", "items.lines". The
// spec test checks each appears in spec.md.
func KeyPaths() []string {
	var out []string
	for t, group := range keyGroups {
		for _, f := range fieldsOf(t) {
			out = append(out, joinPath(group, f.Key))
		}
	}
	for _, k := range itemSourceKeys {
		out = append(out, "items."+k)
	}
	for k := range itemOptions {
		out = append(out, "items."+k)
	}
	sort.Strings(out)
	return out
}

func joinPath(group, key string) string {
	if group == "" {
		return key
	}
	return group + "." + key
}
