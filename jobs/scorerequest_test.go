package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/transport"
)

func TestNewScoreEnqueuerChecksItsConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]jobs.ScoreEnqueuerConfig{
		"no queue":       {DefinitionVersion: "2026.1"},
		"no version":     {Queue: &recordingQueue{}},
		"a bad version":  {Queue: &recordingQueue{}, DefinitionVersion: "2026\n1"},
		"a long version": {Queue: &recordingQueue{}, DefinitionVersion: "v123456789012345678901234567890123"},
	} {
		if s, err := jobs.NewScoreEnqueuer(cfg); coach.ErrorCode(err) != coach.EINVALID || s != nil {
			t.Errorf("%s: %v, %v; want EINVALID", name, s, err)
		}
	}
}

func TestScoreEnqueuerEnqueuesTheScoreJobOfTheWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := &recordingQueue{}
	s, err := jobs.NewScoreEnqueuer(jobs.ScoreEnqueuerConfig{Queue: q, DefinitionVersion: "2026.1"})
	if err != nil {
		t.Fatal(err)
	}
	user := coach.NewID()
	berlin := time.FixedZone("CET", 3600)
	from := time.Date(2026, 3, 1, 11, 0, 0, 0, berlin)
	to := time.Date(2026, 3, 4, 16, 0, 0, 1, berlin)
	if err := s.RequestScore(ctx, user, from, to); err != nil {
		t.Fatal(err)
	}
	// The same window again is the job already queued: not an error, and no other job.
	if err := s.RequestScore(ctx, user, from.UTC(), to.UTC()); err != nil {
		t.Fatalf("the same window again: %v", err)
	}
	if len(q.jobs) != 2 || q.jobs[0].ID != q.jobs[1].ID {
		t.Fatalf("enqueued %v; want one id twice", q.ids())
	}
	j := q.jobs[0]
	if want := jobs.ScoreID(user, from, to, "2026.1"); j.ID != want || j.Type != transport.JobScoreBias || j.Queue != transport.QueueScore {
		t.Errorf("job %s %s on %s; want %s %s on %s", j.Type, j.ID, j.Queue, transport.JobScoreBias, want, transport.QueueScore)
	}
	p, err := jobs.ParseScore(j.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != user || !p.From.Equal(from) || !p.To.Equal(to) || p.DefinitionVersion != "2026.1" {
		t.Errorf("payload %+v", p)
	}
}

func TestScoreEnqueuerRefusesABadWindowAndReportsTheQueuesError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := &recordingQueue{}
	s, err := jobs.NewScoreEnqueuer(jobs.ScoreEnqueuerConfig{Queue: q, DefinitionVersion: "2026.1"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := s.RequestScore(ctx, coach.NewID(), at, at); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("an empty window: %v; want EINVALID", err)
	}
	if err := s.RequestScore(ctx, "", at, at.Add(time.Hour)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("no user: %v; want EINVALID", err)
	}
	if len(q.jobs) != 0 {
		t.Errorf("enqueued %v", q.ids())
	}
	q.err = coach.Errorf(coach.EUNAVAILABLE, "queue down")
	if err := s.RequestScore(ctx, coach.NewID(), at, at.Add(time.Hour)); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("a failing queue: %v; want EUNAVAILABLE", err)
	}
}
