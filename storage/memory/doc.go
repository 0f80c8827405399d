// Package memory implements every storage port in process memory: the transactional Store (New)
// and the non-transactional Cache, Idempotency, Nonces, RateLimiter and Blobs. It is the
// reference host's embedded default and the quickest way to run the coach in a test or a demo;
// it passes the same conformance suite (storagetest) as the PostgreSQL, Redis and S3 adapters.
//
// Everything is safe for concurrent use. Store transactions are serialized by one store-wide
// write lock with an undo log: a transaction that returns an error or panics leaves no trace,
// and readers outside a transaction see only committed data. Values go in and come out as
// copies (byte slices and JSON documents included), so a caller can never change stored state
// by mutating what it passed or got back.
//
// Unlike a database with foreign keys, the Store does not check that the user id of a row names
// a stored user; Users.Delete still erases everything stored under that id. Nothing is
// persisted: Close, or the end of the process, forgets it all.
package memory
