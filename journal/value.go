package journal

import "encoding/json"

// EncodeValue is v in the typed encoding a journal keeps values in: JSON
// that decodes, with DecodeValue, to the same Go value (an int stays an
// int, CSV rows stay rows of their schema). Package cluster sends items
// and results in it.
func EncodeValue(v any) (json.RawMessage, error) { return encodeValue(nil, v) }

// DecodeValue reads EncodeValue's encoding back into the value it was
// made of.
func DecodeValue(raw json.RawMessage) (any, error) { return decodeValue(raw) }
