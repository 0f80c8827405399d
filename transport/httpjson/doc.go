// Package httpjson is the one JSON shape of errors and the strict request decoding of every HTTP
// API built on this module (the reference host's core and edge, and an embedding team's own).
//
// An error answers with the status its code maps to (StatusOf, one table) and the body
//
//	{"code":"invalid","message":"…","fields":[{"field":"rules[0].pct","message":"…"}],"requestId":"…"}
//
// where fields appear only for field-level validation errors and an internal error says
// "internal error" and nothing else. Decode reads a request body strictly: application/json, at
// most a given size, no unknown field, exactly one JSON value, and type errors reported by field.
package httpjson
