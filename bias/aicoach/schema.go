package aicoach

import "embed"

// Schemas holds the JSON Schemas (draft 2020-12) of every body of version 1, as committed in
// schema/: score-page, score-response, indicators-request, indicators-response, reflect-request,
// reflect-response and error, with the shared definitions in defs.v1.json. A host may serve them.
//
//go:embed schema/*.json
var Schemas embed.FS
