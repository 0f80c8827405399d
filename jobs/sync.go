package jobs

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// JobSyncFanout is the job type of the scheduled sync fan-out, on q_import.
const JobSyncFanout = "sync.fanout"

// Sync schedule bounds.
const (
	// SyncSlot is the period of the sync fan-out: it runs every 15 minutes ("*/15 * * * *"), and
	// each firing names the slot it starts.
	SyncSlot = 15 * time.Minute
	// DefaultSyncInterval is SyncConfig.Interval when unset.
	DefaultSyncInterval = time.Hour
	// SyncImportRetention is how long a completed import enqueued by a sync keeps its id: long
	// enough for a fan-out that read the connection before the import moved its sync mark not to
	// import the same window again, short enough that a connection paused while its import was
	// queued (the import is then skipped) syncs again soon after it resumes.
	SyncImportRetention = SyncSlot
	// SyncOverlap is how far before its sync mark a connection's next sync starts: fills an
	// exchange shows a little late (or a worker whose clock runs behind) are still imported, and
	// the overlap's fills already stored are duplicates, which the import skips.
	SyncOverlap = 5 * time.Minute
	// syncSkew is how far in the future a slot may start by the Handlers' Clock and still run:
	// the scheduler that fired it may run ahead of the worker.
	syncSkew = time.Minute
	// syncPage is how many due connections the fan-out lists at a time.
	syncPage = 500
)

// SyncConfig is the sync schedule: which connections sync, how often, and how far back a first
// sync reaches. Zero fields take their defaults.
type SyncConfig struct {
	// Interval is how often a connection syncs: the fan-out of a slot imports each connection
	// synced through a time at or before slot − Interval (DefaultSyncInterval; at least SyncSlot).
	Interval time.Duration
	// Backfill is how far before its creation a connection never imported reaches on its first
	// sync (broker.DefaultImportWindow when zero).
	Backfill time.Duration
	// SkipBrokers are the brokers whose connections do not sync: they have no API to poll
	// (default coach.BrokerCSV). Demo connections sync, so that a demo shows the schedule.
	SkipBrokers []string
}

// withDefaults returns c with its zero fields set.
func (c SyncConfig) withDefaults() SyncConfig {
	if c.Interval == 0 {
		c.Interval = DefaultSyncInterval
	}
	if c.Backfill == 0 {
		c.Backfill = broker.DefaultImportWindow
	}
	if c.SkipBrokers == nil {
		c.SkipBrokers = []string{coach.BrokerCSV}
	}
	return c
}

// Validate reports the first field out of range, by its name.
func (c SyncConfig) Validate() error {
	switch {
	case c.Interval != 0 && c.Interval < SyncSlot:
		return coach.Errorf(coach.EINVALID, "jobs: SyncConfig.Interval: want at least %s, got %s", SyncSlot, c.Interval)
	case c.Backfill < 0:
		return coach.Errorf(coach.EINVALID, "jobs: SyncConfig.Backfill: negative (%s)", c.Backfill)
	}
	return nil
}

// window returns the start of connection s's sync up to end: SyncOverlap before its sync mark,
// or for a connection never imported Backfill before its creation; ok is false when there is
// nothing to import (the mark is at or after end).
func (c SyncConfig) window(s storage.ConnectionSync, end time.Time) (from time.Time, ok bool) {
	if s.SyncedThrough.IsZero() {
		from = s.CreatedAt.Add(-c.Backfill)
		return from.UTC(), from.Before(end)
	}
	return s.SyncedThrough.Add(-SyncOverlap).UTC(), s.SyncedThrough.Before(end)
}

// syncImport returns the import.trades job of connection s's window up to end, with a retention
// of SyncImportRetention; ok is false when there is nothing to import.
func (c SyncConfig) syncImport(s storage.ConnectionSync, end time.Time) (j transport.Job, ok bool, err error) {
	from, ok := c.window(s, end)
	if !ok {
		return transport.Job{}, false, nil
	}
	j, err = ImportJob(ImportPayload{UserID: s.UserID, ConnectionID: s.ConnectionID, WindowStart: from, WindowEnd: end.UTC()})
	j.Retention = SyncImportRetention
	return j, err == nil, err
}

// SyncFanoutPayload is the input of sync.fanout: import every connection due in the slot that
// starts at Slot, a whole SyncSlot of UTC time.
type SyncFanoutPayload struct {
	Slot time.Time `json:"slot"`
}

// Validate reports the first invalid field of p.
func (p SyncFanoutPayload) Validate() error {
	if p.Slot.IsZero() || !p.Slot.Truncate(SyncSlot).Equal(p.Slot) || p.Slot.Year() < 2000 || p.Slot.Year() > 9999 {
		return coach.Errorf(coach.EINVALID, "slot: want the start of a %s slot", SyncSlot)
	}
	return nil
}

// ParseSyncFanout reads a SyncFanoutPayload as ParseImport reads an ImportPayload.
func ParseSyncFanout(b []byte) (SyncFanoutPayload, error) {
	var p SyncFanoutPayload
	return p, parse(b, JobSyncFanout, &p, func() error { return p.Validate() })
}

// SyncFanoutID is the id of the sync fan-out of the slot starting at slotStart:
// "sync.fanout:{slotStart}".
func SyncFanoutID(slotStart time.Time) string { return JobSyncFanout + ":" + stamp(slotStart) }

// SyncFanoutJob returns the sync.fanout job of the slot that starts at or last started before at
// (at truncated to SyncSlot), on q_import, with id SyncFanoutID and a retention of
// FanoutRetention. Its signature is that of transport/asynq's SchedulerConfig.Job: schedule it
// every 15 minutes ("*/15 * * * *"), and every scheduler firing in the same slot enqueues it once.
func SyncFanoutJob(at time.Time) transport.Job {
	slot := at.UTC().Truncate(SyncSlot)
	j, err := job(JobSyncFanout, SyncFanoutID(slot), transport.QueueImport, SyncFanoutPayload{Slot: slot}, FanoutRetention)
	if err != nil {
		// A slot's payload always encodes; should it not, the job is refused at Enqueue.
		return transport.Job{Type: JobSyncFanout, Queue: transport.QueueImport}
	}
	return j
}

// SyncFanout is the handler of sync.fanout: it pages (keyset, by connection id) through the
// connections due in the payload's slot — active (neither paused nor revoked), of a broker that
// syncs (not SyncConfig.SkipBrokers), synced through slot − SyncConfig.Interval or earlier, of
// every user (storage.Syncs.Due) — and enqueues for each the import.trades job of its window from
// SyncOverlap before its sync mark to the slot (id import:{connectionId}:{windowStart}). The
// import moves the mark when it succeeds, so the next slot continues where it ended.
//
// Due only reads and the ids dedupe: a fan-out run twice, or by two workers at once, enqueues each
// connection's import once, and an import still queued or running for a connection (same mark,
// same window start) is not enqueued again. A failed enqueue fails the fan-out, whose retry
// enqueues what is left. A slot that starts more than a minute after the Handlers' Clock is
// EINVALID (a minute is left for a scheduler whose clock runs ahead).
func (h *Handlers) SyncFanout(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.importer == nil {
		return unavailable(JobSyncFanout, "Importer")
	}
	p, err := ParseSyncFanout(j.Payload)
	if err != nil {
		return err
	}
	if p.Slot.After(h.clock.Now().Add(syncSkew)) {
		return coach.Errorf(coach.EINVALID, "%s: the slot %s has not started", JobSyncFanout, stamp(p.Slot))
	}
	f := storage.SyncFilter{SyncedBefore: p.Slot.Add(-h.sync.Interval), SkipBrokers: h.sync.SkipBrokers, Limit: syncPage}
	for {
		page, err := h.store.Syncs().Due(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range page {
			ij, ok, err := h.sync.syncImport(c, p.Slot)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if _, err := h.queue.Enqueue(ctx, ij); err != nil {
				return err
			}
		}
		if len(page) < syncPage {
			return nil
		}
		f.After = page[len(page)-1].ConnectionID
	}
}
