// Package postgres is the PostgreSQL adapter of the storage ports: a storage.Store over a pgx
// connection pool, with the schema of the seed data model in one PostgreSQL schema, migrated by
// goose from migrations embedded in the binary.
//
// Open connects, migrates (under an advisory lock, so several processes may start at once) and
// makes the event outbox's monthly partitions. Every call made through the DB directly runs in a
// transaction of its own; InTx gives a unit of work.
//
// A host application embeds the store on its own terms: New uses the host's pgxpool.Pool (and
// Close leaves it open), InExternalTx runs a unit of work inside the host's own pgx.Tx so that the
// host's rows and the store's outbox events commit together, and Migrations and Migrate let the
// host migrate the store's schema when and how it chooses (Config.NoMigrate then makes a missing
// schema an EINVALID naming it). Every statement names the store's schema explicitly, so the
// store never depends on search_path and never touches the host's tables. Test helpers are in
// postgrestest, so this package does not link the testing package. Driver errors become coach errors in one
// place (formatError): unique violations ECONFLICT, serialization failures and deadlocks
// ERETRYABLE, foreign-key violations ENOTFOUND, check violations and rejected text EINVALID, lost
// connections EUNAVAILABLE, a cancelled or expired context ECANCELED, anything else EINTERNAL
// with a stack. Coded errors keep the driver's error as their cause for errors.Is/As and the
// log; their messages never show it.
//
// The event outbox is partitioned by month of ts (UTC bounds, partition key in the primary key).
// EnsurePartitions makes partitions ahead of time, DropPartitionsBefore and Events.Prune drop old
// ones (never the one holding the present), and a retention horizon makes a replay from before it
// EGONE. Event ids are issued under a per-user stream row lock held to the end of the
// transaction, so they increase in commit order.
//
// A connection the server closed (a restart, pg_terminate_backend) is discarded by the pool; a
// call that meets one is retried once on a fresh connection when that cannot repeat a write:
// reads always, writes when the failure came before their transaction committed.
package postgres
