// Package privacy exports and erases everything a user has, over the storage and transport
// ports and the broker's token revocation, so a host never enumerates a user's data by hand.
//
// Export streams a user's profile (never the password hash), connections (never secrets),
// trades and tombstones, tags and disputes, notes, questions to the coach with their answers,
// rules, simulation runs, digests, audit and events, webhook endpoints and deliveries into a ZIP
// of JSON and CSV in the blob store, reading every table in pages. The
// export.ready event carries only the export's id; the download link is minted on an
// authenticated request and expires within minutes.
//
// Erase removes the user from Postgres, Redis, the blob store and the per-user data keys,
// revokes broker tokens where the broker allows it, and keeps only a pseudonymized record of
// the erasure.
package privacy
