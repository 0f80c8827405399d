// Package webhook pushes a user's events to HTTPS endpoints of their choosing, signed by the
// Standard Webhooks specification (https://www.standardwebhooks.com): endpoints and their sealed
// secrets (Service), delivery from the event outbox (Deliverer), the signing scheme (Sign) and a
// Verifier for receivers.
//
// Delivery follows the relay's at-least-once contract. Each endpoint keeps a cursor into its
// user's outbox stream (storage.Events.Since, which never skips an event committed late); the
// Deliverer fans new events out into the endpoint's queue of deliveries and moves the cursor in
// one compare-and-set step, then sends each endpoint's queue in order, one request at a time, so
// a receiver sees a user's events in the order they were committed. A failed attempt is retried
// with exponential backoff and jitter (RetryPolicy: for about three days by default) and holds
// back the endpoint's later deliveries, never another endpoint's: endpoints are sent
// concurrently, at most DelivererConfig.Concurrency at once, and the fan-out never waits for a
// receiver. A slow receiver cannot hold that shared capacity: an attempt that runs past
// DelivererConfig.SlowAfter gives its slot back (the request goes on) and its endpoint is sent
// from then on in a slow lane of its own bounded size (SlowConcurrency) until it answers
// quickly again, so one endpoint answering in 2 s, or not at all, delays no other. After DelivererConfig.DisableAfter failed attempts in a row the endpoint is disabled
// and the user is told by a webhook.disabled event. Any past delivery can be replayed by id; it
// keeps its webhook-id, by which receivers dedupe.
//
// Requests go out through a Client that dials only public addresses: the address actually
// dialled is checked in the dialer (so DNS rebinding cannot slip past a check made earlier),
// private, loopback, link-local, CGNAT, multicast, unspecified and cloud-metadata addresses are
// refused, redirects are not followed, every attempt has a timeout, and at most 4 KiB of an
// answer is read and a short excerpt kept. Plain http and loopback receivers are allowed only in
// the test mode (ClientConfig.AllowLoopback).
package webhook
