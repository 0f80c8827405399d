// Package ws relays a user's events to WebSocket clients (the edge's /ws/coach) with
// github.com/coder/websocket, and is the Go client of that relay.
//
// # Protocol
//
// A client opens GET /ws/coach?lastEventId=<id>, authenticated like any request of the host (a
// session cookie, or an Authorization header). lastEventId is the id of the last event the client
// has; without it the connection starts at live events. The resume cursor travels in the query,
// so a reconnect is a plain dial and nothing has to be sent before events flow.
//
// Before the upgrade the relay answers 403 to an Origin outside its allow-list, 401/403 when the
// host's Authenticate callback refuses, 400 to a malformed lastEventId or one beyond the newest
// committed event of the user (Replayer.Newest; for a user without events, one ahead of the
// relay's clock), and 503 while it shuts down. After the upgrade it sends JSON text frames:
//
//	{"type":"coach.reflect","eventId":"01J…","ts":"…","v":1,"payload":{…}}  an event (coach.Envelope)
//	{"type":"ready","lastEventId":"01J…"}  replay is done; live events follow
//	{"type":"gone","reason":"reload"}      lastEventId is past retention; reload, then reconnect without it
//	{"type":"pong"}                        the answer to a client's {"type":"ping"}
//
// A frame with an eventId is an event; one without is a control frame. Events arrive in id
// order, each at most once per connection. ready's lastEventId is where the connection's stream
// starts: the id a client that has received no event on it should resume from (on a fresh
// connection, the user's newest event, or a time ClockSkew in the past for a user with none).
//
// The only client frame is {"type":"ping"} (browsers cannot send WebSocket pings); frames of an
// unknown type are ignored for forward compatibility. A frame over ReadLimit (4 KiB by default) is
// closed with 1009, a binary or malformed one with 1008.
//
// Close codes: 1001 the relay is shutting down (resume elsewhere); 1008 the client broke the
// protocol; 1011 internal error; 1013 a dependency is down (retry later); CloseTooSlow (4408) the
// client fell more than QueueSize events behind or its bus feed overflowed (resume with
// lastEventId); CloseGone (4410) after a gone frame; CloseTooMany (4429) the user already holds
// MaxConnsPerUser connections on this relay. A peer that does not answer pings is dropped without
// a close frame.
//
// # No gap, no duplicate
//
// Each connection subscribes to the bus first, then replays Since(lastEventId) page by page from
// a Replayer, then writes live events, dropping every live event whose id is not above the last
// id sent. Event ids increase per user in commit order, so an event committed after the replay's
// last page has a larger id and reaches the subscription. This relies on the bus delivering a
// user's events in id order, as one outbox.Dispatcher publishes them.
//
// # What a connection costs
//
// Relay.ServeHTTP returns once the connection is upgraded (middleware that times its handler sees
// the handshake only); the relay serves it on goroutines of its own, and Shutdown and Close wait
// for them. An idle connection holds two goroutines (a reader and the pump that takes live
// events from the bus), small buffers (256 bytes to read, 1 KiB to write) and no queue: a writer
// goroutine runs only while something is to be written, and pings are a timer whose callback
// pings.
package ws
