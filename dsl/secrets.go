package dsl

import (
	"fmt"
	"os"
	"reflect"
	"regexp"

	"gopkg.in/yaml.v3"
)

// SecretsNode is the secrets mapping: names expressions read as
// secrets.NAME, each taken from an environment variable, never from the
// file. Their values are masked wherever poolflow prints.
type SecretsNode struct {
	Meta
	List []SecretNode
}

// SecretNode is one secret and the variable it comes from.
type SecretNode struct {
	Meta
	Name string
	Env  string
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (v *SecretsNode) decodeNode(d *decoder, n *yaml.Node, _ fieldSpec) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "type", "write name: ENV_VAR, such as api_token: API_TOKEN",
			"secrets must be a mapping of names to environment variables, got %s", kindName(n))
		return
	}
	for _, p := range d.pairs(n) {
		key, value := d.resolve(p.key), d.resolve(p.value)
		if !identifier.MatchString(key.Value) {
			d.errorf(key, "name", "use letters, digits and _, not starting with a digit", "bad secret name %q", key.Value)
			continue
		}
		if value.Kind != yaml.ScalarNode || !envName.MatchString(value.Value) {
			// The value is not quoted back: it may be the secret itself, pasted by mistake.
			d.errorf(value, "type", "name the environment variable that holds it, such as API_TOKEN: a secret never lives in the file",
				"secrets.%s must name an environment variable (letters, digits and _)", key.Value)
			continue
		}
		v.List = append(v.List, SecretNode{Meta: Meta{Pos: d.src.pos(value), KeyPos: d.src.pos(key), Set: true},
			Name: key.Value, Env: value.Value})
	}
}

func (*SecretsNode) jsonSchema(fieldSpec) map[string]any {
	return map[string]any{"type": "object", "propertyNames": map[string]any{"pattern": identifier.String()},
		"additionalProperties": map[string]any{"type": "string", "pattern": envName.String()}}
}

// Secret is one secret of a plan: its name, its variable, its value.
type Secret struct {
	Name, Env string
	Pos       Pos
	Value     string
	Set       bool // the variable is set and not empty; a run needs every secret set
}

// secrets reads the secrets' variables and builds the value expressions
// see as secrets: a struct of strings.
func (c *compiler) secrets(plan *Plan) reflect.Type {
	lookup := c.opts.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var fields []reflect.StructField
	for i, s := range c.p.Secrets.List {
		value, _ := lookup(s.Env)
		set := value != "" // an empty token is no token
		plan.Secrets = append(plan.Secrets, Secret{Name: s.Name, Env: s.Env, Pos: s.Pos, Value: value, Set: set})
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("S%d", i), Type: stringType,
			Tag: reflect.StructTag(fmt.Sprintf(`expr:%q json:%q`, s.Name, s.Name))})
		if !set {
			c.warnf(s.Pos, len(s.Env), "secret", "set it in the environment: a run needs it",
				"secret %s: environment variable %s is not set", s.Name, s.Env)
		}
	}
	typ := reflect.StructOf(fields)
	v := reflect.New(typ).Elem()
	for i, s := range plan.Secrets {
		v.Field(i).SetString(s.Value)
	}
	plan.SecretsValue = v.Interface()
	return typ
}

// MissingSecrets lists the secrets whose variable is not set.
func (p *Plan) MissingSecrets() []Secret {
	var out []Secret
	for _, s := range p.Secrets {
		if !s.Set {
			out = append(out, s)
		}
	}
	return out
}
