// Package storagetest is the conformance suite of the storage ports: every adapter runs it, so
// every adapter keeps the same contracts.
//
// Run checks the transactional Store (every repository and InTx); RunCache, RunIdempotency,
// RunNonces, RunRateLimiter and RunBlobs check the non-transactional stores. Each subtest calls
// the adapter's constructor for a fresh instance and runs in parallel with the others, so an
// adapter can give each subtest its own schema, database or key prefix. The suites use random
// keys and ids, so subtests sharing one backend never collide.
//
// The suites assume nothing an adapter cannot offer: times are created truncated to the
// microsecond (PostgreSQL's precision) and compared with time.Time.Equal, JSON documents are
// compared by meaning rather than by bytes, and expiry is checked against the real clock with
// short TTLs and a generous polling deadline, never an upper bound on elapsed time.
//
// A typical adapter test is one line:
//
//	func TestStore(t *testing.T) { storagetest.Run(t, func(t *testing.T) storage.Store { return memory.New() }) }
package storagetest
