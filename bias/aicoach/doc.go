// Package aicoach carries the AI-coach seam (bias.Coach) over HTTP: a Client that calls the S5
// aicoach service and a Handler that serves it over any bias.Coach (bias.InProcess by default).
//
// Three routes, every request signed with transport/hmac (key id, timestamp, nonce, body hash;
// replays and stale timestamps are refused) and every body JSON of version 1 (field "v"),
// documented as JSON Schemas in schema/:
//
//	POST /v1/bias/score      one page of a scoring run (ScorePage → ScoreResponse)
//	POST /v1/indicators      one indicator over a series (IndicatorsRequest → IndicatorsResponse)
//	POST /v1/nlg/reflect     reflections of tags (ReflectRequest → ReflectResponse)
//
// A scoring run is sent in pages of bounded size: page 0 carries the definitions and the label
// start, every page some trades and candles, and the last page's answer carries the result. The
// Handler keeps a run's pages in memory until its last page (bounded in count, bytes and time),
// scoped to the key that signed them: a run must be sent to one instance of the service.
//
// Numbers that may be undefined travel exactly: a NaN is null, infinities are the strings
// "Infinity" and "-Infinity", durations are nanoseconds, so that a Result scored through the
// Handler equals the one scored in process.
package aicoach
