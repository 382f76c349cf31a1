package builtins

import "fmt"

// put implements put(m, key, value): a new map with m's entries and key
// set to value. m is left as it was, as every value expressions see is;
// the copy is asked of the budget first.
func put(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("put", args, 3)
	if err != nil {
		return nil, err
	}
	m, ok := rest[0].(map[string]any)
	if !ok && rest[0] != nil {
		return nil, fmt.Errorf("put: want a map, got %T", rest[0])
	}
	key, ok := rest[1].(string)
	if !ok {
		return nil, fmt.Errorf("put: the key must be a string, got %T", rest[1])
	}
	if err := allow(ctx, product(int64(len(m)+1), 2*elemSize)); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[key] = rest[2]
	return out, nil
}
