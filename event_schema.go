package coach

import (
	"embed"
	"strconv"
)

// schemas holds the JSON Schemas (draft 2020-12) of the wire forms of events: schema/envelope.json
// for the envelope, and schema/{type}.v{v}.json for each published payload version.
//
//go:embed schema/*.json
var schemas embed.FS

// EnvelopeSchema returns the JSON Schema (draft 2020-12) of Envelope, the form in which every
// event reaches clients.
func EnvelopeSchema() []byte {
	b, err := schemas.ReadFile("schema/envelope.json")
	if err != nil {
		panic("coach: envelope schema missing from the build: " + err.Error())
	}
	return b
}

// EventSchema returns the JSON Schema (draft 2020-12) of the payload of events of type typ at
// version v, and false when that version of that type was never published. A published schema
// never changes: a new shape is a new v with a schema of its own.
func EventSchema(typ string, v int16) ([]byte, bool) {
	if !validEventType(typ) || v < 1 {
		return nil, false
	}
	b, err := schemas.ReadFile("schema/" + typ + ".v" + strconv.Itoa(int(v)) + ".json")
	if err != nil {
		return nil, false
	}
	return b, true
}

// validEventType reports whether typ can name a schema file: [a-z0-9._-], not starting with a dot.
func validEventType(typ string) bool {
	if typ == "" || len(typ) > 64 || typ[0] == '.' {
		return false
	}
	for i := 0; i < len(typ); i++ {
		if c := typ[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
