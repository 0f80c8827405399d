package jobs_test

import (
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/transport"
)

// fuzzPayload checks a payload parser on any input: it never panics, refuses with EINVALID only,
// and whatever it accepts makes a valid job whose payload parses back to the same value.
func fuzzPayload[P any](f *testing.F, seeds []string, parse func([]byte) (P, error), build func(P) (transport.Job, error), same func(a, b P) bool) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parse(b)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			return
		}
		j, err := build(p)
		if err != nil {
			t.Fatalf("accepted payload %s makes no job: %v", b, err)
		}
		if err := j.Validate(); err != nil {
			t.Fatalf("job of %s: %v", b, err)
		}
		back, err := parse(j.Payload)
		if err != nil || !same(p, back) {
			t.Fatalf("payload %s: job payload %s parses to %+v, %v", b, j.Payload, back, err)
		}
	})
}

func FuzzParseImport(f *testing.F) {
	f.Add([]byte(`{"userId":"u1","connectionId":"c1","windowStart":"2026-01-05T00:00:00.5+02:00","windowEnd":"2026-01-06T00:00:00Z","symbols":["BTC-USDT"]}`))
	fuzzPayload(f, []string{`{"userId":"u1","connectionId":"c1","windowStart":"2026-01-05T00:00:00Z","windowEnd":"2026-01-06T00:00:00Z"}`, `{}`, `[`},
		jobs.ParseImport, jobs.ImportJob, func(a, b jobs.ImportPayload) bool {
			if len(a.Symbols) != len(b.Symbols) {
				return false
			}
			for i := range a.Symbols {
				if a.Symbols[i] != b.Symbols[i] {
					return false
				}
			}
			return a.UserID == b.UserID && a.ConnectionID == b.ConnectionID && a.WindowStart.Equal(b.WindowStart) && a.WindowEnd.Equal(b.WindowEnd)
		})
}

func FuzzParseScore(f *testing.F) {
	fuzzPayload(f, []string{`{"userId":"u1","from":"2026-01-05T00:00:00Z","to":"2026-01-06T00:00:00Z","definitionVersion":"2026.1"}`, `{"userId":1}`},
		jobs.ParseScore, jobs.ScoreJob, func(a, b jobs.ScorePayload) bool {
			return a.UserID == b.UserID && a.From.Equal(b.From) && a.To.Equal(b.To) && a.DefinitionVersion == b.DefinitionVersion
		})
}

func FuzzParseSimulate(f *testing.F) {
	fuzzPayload(f, []string{`{"userId":"u1","runId":"r1"}`, `{"userId":"u1","runId":""}`},
		jobs.ParseSimulate, jobs.SimulateJob, func(a, b jobs.SimulatePayload) bool { return a == b })
}

func FuzzParseDigest(f *testing.F) {
	fuzzPayload(f, []string{`{"userId":"u1","week":"2026-W02"}`, `{"userId":"u1","week":"2020-W53"}`},
		jobs.ParseDigest, jobs.DigestJob, func(a, b jobs.DigestPayload) bool { return a == b })
}

func FuzzParseFanout(f *testing.F) {
	fuzzPayload(f, []string{`{"hour":"2026-11-02T05:00:00Z"}`, `{"hour":"2026-11-02T05:00:00+05:30"}`},
		jobs.ParseFanout, func(p jobs.FanoutPayload) (transport.Job, error) { return jobs.FanoutJob(p.Hour), nil },
		func(a, b jobs.FanoutPayload) bool { return a.Hour.Equal(b.Hour) })
}

func FuzzParseRetention(f *testing.F) {
	f.Add([]byte(`{"period":"2026-12-07T05:00:00+05:00"}`))
	fuzzPayload(f, []string{`{"period":"2026-12-07T00:00:00Z"}`, `{"period":"2026-12-07T03:00:00Z"}`, `{"period":null}`},
		func(b []byte) (jobs.RetentionPayload, error) { return jobs.ParseRetention(jobs.JobRetentionDigests, b) },
		func(p jobs.RetentionPayload) (transport.Job, error) { return jobs.RetentionDigestsJob(p.Period), nil },
		func(a, b jobs.RetentionPayload) bool { return a.Period.Equal(b.Period) })
}

func FuzzParseRetentionHourly(f *testing.F) {
	fuzzPayload(f, []string{`{"period":"2026-12-07T03:00:00Z"}`, `{"period":"2026-12-07T03:30:00Z"}`},
		func(b []byte) (jobs.RetentionPayload, error) {
			return jobs.ParseRetention(jobs.JobRetentionSessions, b)
		},
		func(p jobs.RetentionPayload) (transport.Job, error) { return jobs.RetentionSessionsJob(p.Period), nil },
		func(a, b jobs.RetentionPayload) bool { return a.Period.Equal(b.Period) })
}

func FuzzParseSyncFanout(f *testing.F) {
	fuzzPayload(f, []string{`{"slot":"2026-11-02T05:45:00Z"}`, `{"slot":"2026-11-02T05:45:00+05:30"}`, `{"slot":"2026-11-02T05:50:00Z"}`},
		jobs.ParseSyncFanout, func(p jobs.SyncFanoutPayload) (transport.Job, error) { return jobs.SyncFanoutJob(p.Slot), nil },
		func(a, b jobs.SyncFanoutPayload) bool { return a.Slot.Equal(b.Slot) })
}
