package dsl

// The types in this file are the pipeline file as written: the parser fills
// them from YAML, keeping positions. Their struct tags are the single source
// of truth for the format's keys: the parser, the spec test and the JSON
// Schema all read them.
//
//	key:      the YAML key
//	required: "true" when the key must be present
//	enum:     the words a word-valued key accepts, comma-separated
//	min:      the least value of an integer key
//	share:    "true" when a size may be a share of the machine's memory
//	doc:      one line for the schema and for hints

// Pipeline is a parsed pipeline file.
type Pipeline struct {
	Meta
	Version     IntNode       `key:"version" required:"true" min:"1" doc:"format version; must be 1"`
	Name        StringNode    `key:"name" required:"true" doc:"name of the pipeline, shown in reports"`
	Description StringNode    `key:"description" doc:"what the pipeline does, for people"`
	Params      ParamsNode    `key:"params" doc:"named parameters and their defaults; --param name=value overrides one"`
	Secrets     SecretsNode   `key:"secrets" doc:"names of secrets and the environment variables they come from; expressions read secrets.NAME; their values are masked wherever poolflow prints"`
	Schemas     SchemasNode   `key:"schemas" doc:"named table schemas: each column's type, checked cell by cell by read_csv(path, NAME) and items: {csv: path, schema: NAME}"`
	Workers     IntNode       `key:"workers" min:"1" doc:"number of workers; default: the number of CPUs; --workers overrides"`
	Items       ItemsNode     `key:"items" required:"true" doc:"the items to map over: an expression, a list, or a streamed source"`
	Order       WordNode      `key:"order" enum:"input,completion" doc:"order of results: input (like Pool.map) or completion (like imap_unordered); default input"`
	Window      IntNode       `key:"window" min:"1" doc:"most items in flight at once (running or waiting to be delivered in order); default 32 per worker, at least 256"`
	Timeout     DurationNode  `key:"timeout" doc:"limit on the whole run"`
	OnInterrupt WordNode      `key:"on_interrupt" enum:"abort-all,drain" doc:"what the first SIGINT does: abort-all (cancel at once) or drain (start no new item, let the running ones finish; a second SIGINT aborts); default abort-all"`
	Initializer *StageNode    `key:"initializer" doc:"steps run once per worker before it takes an item"`
	Map         *MapNode      `key:"map" required:"true" doc:"steps run once per item"`
	Callbacks   CallbacksNode `key:"callbacks" doc:"steps run one at a time after each result, each failure, and once at the end"`
	Output      *OutputNode   `key:"output" doc:"what the run writes at the end"`
	Limits      *LimitsNode   `key:"limits" doc:"the sizes a run may reach: memory, output"`
	Tests       TestsNode     `key:"tests" doc:"tests of the pipeline, which poolflow test runs: items, params, injections, stubs, and what must come of them"`

	// File is the path the pipeline was read from; Source its text.
	File   string `key:"-"`
	Source []byte `key:"-"`
	// unread is set when the file is too large to decode at all.
	unread bool
}

// StageNode is a list of steps with the limits and the error policy that
// apply to them: the initializer and each callback.
type StageNode struct {
	Meta
	Steps   StepsNode    `key:"steps" required:"true" doc:"steps run in order"`
	Timeout DurationNode `key:"timeout" doc:"limit on one attempt of the whole stage"`
	OnError PolicyNode   `key:"on_error" doc:"error policy: abort-all, skip, retry, or a mapping with retry, then, fallback, max_failures"`
}

// MapNode is the map stage: a stage whose value per item is its result.
type MapNode struct {
	StageNode
	Result  ExprNode         `key:"result" doc:"expression giving the item's result; default: the last step's value"`
	Key     ExprNode         `key:"key" doc:"expression naming an item for --resume; default: the item itself"`
	Depends TemplateListNode `key:"depends" doc:"paths an item's work depends on, beyond those it names and reads; a changed one reruns it on --resume"`
}

// CallbacksNode holds the three callbacks.
type CallbacksNode struct {
	Meta
	Result *StageNode `key:"result" doc:"after each item that succeeded; sees item, index, result"`
	Error  *StageNode `key:"error" doc:"after each item that failed for good; sees item, index, error"`
	Done   *StageNode `key:"done" doc:"once after the map stage; sees results, errors, stats"`
}

// StepNode is one step. Exactly one of Expr, Sh, Exec and Assert is set.
type StepNode struct {
	Meta
	Name    StringNode       `key:"name" doc:"binds the step's value to this name for later steps, result and policies"`
	Expr    ExprNode         `key:"expr" doc:"an expression to evaluate"`
	Sh      TemplateNode     `key:"sh" doc:"a command line run by /bin/sh -c; ${...} values are shell-quoted"`
	Exec    TemplateListNode `key:"exec" doc:"a program and its arguments, run without a shell"`
	Assert  ExprNode         `key:"assert" doc:"a condition that must hold, or the step fails with kind assert"`
	Message TemplateNode     `key:"message" doc:"the failure message of an assert step"`
	If      ExprNode         `key:"if" doc:"run the step only when this condition holds"`
	Timeout DurationNode     `key:"timeout" doc:"limit on this step alone"`
}

// RetryNode is the retry part of an error policy.
type RetryNode struct {
	Meta
	Attempts IntNode      `key:"attempts" min:"1" doc:"attempts in all, the first included; default 3"`
	Delay    DurationNode `key:"delay" doc:"wait before the second attempt; default 100ms"`
	Backoff  WordNode     `key:"backoff" enum:"constant,exponential" doc:"constant, or exponential (the wait doubles each time); default exponential"`
	MaxDelay DurationNode `key:"max_delay" doc:"longest wait between attempts; default 5s"`
	Jitter   PercentNode  `key:"jitter" doc:"spread each wait randomly by up to this share, such as 20%; default none"`
	When     ExprNode     `key:"when" doc:"retry only while this holds; sees error; default: every kind but cancelled"`
}

// OutputNode says what the run writes: at the end (value), or as results
// are delivered (rows).
type OutputNode struct {
	Meta
	Value   ExprNode       `key:"value" doc:"expression giving what to write at the end; sees results, errors, stats, and acc with fold; default: results, or acc with fold"`
	Rows    ExprNode       `key:"rows" doc:"expression over result (and item, index) giving a row or a list of rows, appended as each result is delivered; nothing is kept"`
	Unique  UniqueNode     `key:"unique" doc:"rows only: true drops a row written the same as an earlier one, or an expression over row giving the key to compare; keeps a hash per row"`
	Fold    *FoldNode      `key:"fold" doc:"a running aggregate the collector updates with each result: init, then step over acc and result"`
	To      TemplateNode   `key:"to" doc:"a path, or - for standard output; default -"`
	Format  WordNode       `key:"format" enum:"json,jsonl,csv,text" doc:"json, jsonl, csv or text; default: from the extension of to, else json"`
	Columns StringListNode `key:"columns" doc:"csv only: the columns and their order; default: a table row's columns, else the sorted keys of the rows"`
	OnDrain WordNode       `key:"on_drain" enum:"discard,write" doc:"what a drained run does with its output: discard it, or write what was delivered; default discard"`
}

// FoldNode is a running aggregate over the delivered results.
type FoldNode struct {
	Meta
	Init ExprNode `key:"init" required:"true" doc:"the accumulator's first value; sees params"`
	Step ExprNode `key:"step" required:"true" doc:"the next accumulator, from acc and each delivered result (and item, index)"`
}
