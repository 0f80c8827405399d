package jobs_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

var (
	backfillOnce sync.Once
	backfillMkt  *brokertest.Demo
)

// backfillDemo is a demo market of 23 days from Monday 2025-12-29 to Wednesday 2026-01-21 (UTC):
// with the clock at its end, the Berlin weeks 2026-W01 to W03 have ended and hold trades, and
// 2026-W04 is in progress.
func backfillDemo(t testing.TB) *brokertest.Demo {
	t.Helper()
	backfillOnce.Do(func() {
		var err error
		if backfillMkt, err = brokertest.NewDemo(42, brokertest.DemoOptions{Start: time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), Days: 23}); err != nil {
			panic(err)
		}
	})
	return backfillMkt
}

// backfillFixture is a fixture on backfillDemo whose user opted in to the digest by email, with
// the backfill of cfg's weeks (0: the default), handlers on a recordingQueue that mail through a
// switchMailer.
func backfillFixture(t *testing.T, weeks int) (*fixture, *jobs.Handlers, *recordingQueue, *switchMailer) {
	t.Helper()
	f := newFixtureOn(t, backfillDemo(t))
	f.user.Email, f.user.DigestByEmail = "trader-"+strings.ToLower(f.user.ID)+"@example.com", true
	must(t, f.store.Users().Update(f.ctx, f.user), "set the user's email and opt-in")
	mailer := &switchMailer{}
	f.cfg.Mailer, f.cfg.Clock, f.cfg.DigestBackfill = mailer, f.clock, weeks
	q := &recordingQueue{}
	return f, f.handlers(q), q, mailer
}

// endedWeeksWithTrades returns the weeks of the user's zone, among the last n ended by the
// clock, that hold a stored trade: what the backfill of an import of everything should build.
func (f *fixture) endedWeeksWithTrades(n int) []string {
	f.t.Helper()
	loc := f.user.Location()
	last := digest.LastFullWeek(f.clock.Now(), loc)
	oldest := last
	for range n - 1 {
		oldest = oldest.Prev()
	}
	var out []string
	for _, tr := range f.trades() {
		w := digest.WeekOf(tr.TS, loc)
		if tr.TS.Before(oldest.Start(loc)) || !tr.TS.Before(last.End(loc)) || slices.Contains(out, w.String()) {
			continue
		}
		out = append(out, w.String())
	}
	return out
}

// runJobs runs with the handlers every job of q from index from on that is of type typ, and
// returns them.
func runJobs(t *testing.T, f *fixture, h *jobs.Handlers, q *recordingQueue, from int, typ string) []transport.Job {
	t.Helper()
	q.mu.Lock()
	js := slices.Clone(q.jobs[from:])
	q.mu.Unlock()
	var out []transport.Job
	for _, j := range js {
		if j.Type != typ {
			continue
		}
		var err error
		switch typ {
		case transport.JobScoreBias:
			err = h.ScoreBias(f.ctx, j)
		case transport.JobDigestWeekly:
			err = h.DigestWeekly(f.ctx, j)
		}
		must(t, err, typ+" "+j.ID)
		out = append(out, j)
	}
	return out
}

// importAndSettle runs the import of the whole demo, the score job it asks for and the digest
// jobs that asks for, and returns the score job and the digest jobs.
func importAndSettle(t *testing.T, f *fixture, h *jobs.Handlers, q *recordingQueue) (transport.Job, []transport.Job) {
	t.Helper()
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")
	scores := runJobs(t, f, h, q, 0, transport.JobScoreBias)
	if len(scores) != 1 {
		t.Fatalf("the import enqueued %v, want one score job", q.ids())
	}
	return scores[0], runJobs(t, f, h, q, 0, transport.JobDigestWeekly)
}

// digestsByWeek returns the user's stored digests by the ISO week they are of.
func (f *fixture) digestsByWeek() map[string]coach.Digest {
	f.t.Helper()
	ds, err := f.store.Digests().List(f.ctx, f.user.ID, storage.MaxLimit)
	must(f.t, err, "list digests")
	out := map[string]coach.Digest{}
	for _, d := range ds {
		out[digest.WeekOfDate(d.PeriodStart).String()] = d
	}
	return out
}

// TestImportBackfillsPastDigestsWithoutMail: an import of fills over three past weeks gives,
// once scored, the digests of those three weeks — with the labels' P/L — and mails none of them,
// though the trader opted in; the week in progress gets none. Running the backfill again gives
// the same digests, no new digest.ready and no mail.
func TestImportBackfillsPastDigestsWithoutMail(t *testing.T) {
	t.Parallel()
	f, h, q, mailer := backfillFixture(t, 0)
	score, backfill := importAndSettle(t, f, h, q)

	want := f.endedWeeksWithTrades(digest.DefaultBackfillWeeks)
	if len(want) != 3 {
		t.Fatalf("the demo's trades are in the ended weeks %v; the test wants three", want)
	}
	sp, err := jobs.ParseScore(score.Payload)
	must(t, err, "ParseScore")
	var wantIDs, gotIDs []string
	for _, w := range want {
		wantIDs = append(wantIDs, jobs.DigestBackfillID(f.user.ID, w, sp.From, sp.To, sp.DefinitionVersion))
	}
	for _, j := range backfill {
		gotIDs = append(gotIDs, j.ID)
		p, err := jobs.ParseDigest(j.Payload)
		must(t, err, "ParseDigest")
		if !p.NoMail || j.Queue != transport.QueueDigest {
			t.Errorf("backfill job %s on %s: noMail %v, want true on q_digest", j.ID, j.Queue, p.NoMail)
		}
	}
	if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
		t.Fatalf("backfill jobs (-want +got):\n%s", diff)
	}

	got := f.digestsByWeek()
	labelled := 0
	for _, w := range want {
		d, ok := got[w]
		if !ok {
			t.Errorf("no digest of %s", w)
			continue
		}
		if d.DeliveredAt != nil {
			t.Errorf("the digest of %s is marked delivered", w)
		}
		p, err := digest.ParsePayload(d.Payload)
		must(t, err, "ParsePayload")
		if len(p.PnLByBias) > 0 {
			labelled++
		}
	}
	if len(got) != len(want) {
		t.Errorf("digests of %v, want only %v (none of the week in progress)", keys(got), want)
	}
	if labelled == 0 {
		t.Error("no backfilled digest attributes P/L to a label: were they built before the scoring?")
	}
	if n := len(mailer.box.Sent()); n != 0 || mailer.tries != 0 {
		t.Errorf("%d mails sent (%d tries), want none", n, mailer.tries)
	}

	// The backfill again — the score job retried, its digest jobs run again — changes nothing.
	_, counts := f.events()
	n := len(q.jobs)
	runJobs(t, f, h, q, 0, transport.JobScoreBias)
	again := runJobs(t, f, h, q, n, transport.JobDigestWeekly)
	if len(again) != len(want) {
		t.Errorf("the score job again enqueued %d digest jobs, want the same %d ids", len(again), len(want))
	}
	for _, j := range again {
		if !slices.Contains(wantIDs, j.ID) {
			t.Errorf("the score job again enqueued %s", j.ID)
		}
	}
	if diff := cmp.Diff(got, f.digestsByWeek()); diff != "" {
		t.Errorf("digests after the backfill ran again (-before +after):\n%s", diff)
	}
	if _, after := f.events(); after[coach.EventDigestReady] != counts[coach.EventDigestReady] {
		t.Errorf("digest.ready %d after the backfill ran again, want still %d", after[coach.EventDigestReady], counts[coach.EventDigestReady])
	}
	if n := len(mailer.box.Sent()); n != 0 {
		t.Errorf("%d mails after the backfill ran again, want none", n)
	}
}

// TestDigestBackfillIsBounded: the backfill reaches back Config.DigestBackfill weeks, and a
// negative value turns it off.
func TestDigestBackfillIsBounded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		weeks, want int
	}{{1, 1}, {2, 2}, {-1, 0}} {
		f, h, q, _ := backfillFixture(t, tc.weeks)
		_, backfill := importAndSettle(t, f, h, q)
		want := []string{}
		if tc.weeks > 0 {
			want = f.endedWeeksWithTrades(tc.weeks)
		}
		got := []string{}
		for _, j := range backfill {
			p, err := jobs.ParseDigest(j.Payload)
			must(t, err, "ParseDigest")
			got = append(got, p.Week)
		}
		if len(want) != tc.want || !slices.Equal(got, want) {
			t.Errorf("DigestBackfill %d: backfilled %v, want %v (%d weeks)", tc.weeks, got, want, tc.want)
		}
	}
}

// TestWeeklyDigestAfterABackfillIsMailedOnce: the week just ended was backfilled (built, not
// mailed) by the time the hourly fan-out reaches it; the fan-out's digest.weekly job, under its
// own id, mails it once, however often it or the backfill runs afterwards.
func TestWeeklyDigestAfterABackfillIsMailedOnce(t *testing.T) {
	t.Parallel()
	f, h, q, mailer := backfillFixture(t, 0)
	importAndSettle(t, f, h, q)
	loc := f.user.Location()
	last := digest.LastFullWeek(f.clock.Now(), loc)
	before, ok := f.digestsByWeek()[last.String()]
	if !ok {
		t.Fatalf("the backfill did not build %s", last)
	}

	// The fan-out of the hour the week ended in (Monday 00:00 Berlin), twice.
	hour := last.End(loc).UTC().Truncate(time.Hour)
	weekly := jobs.DigestID(f.user.ID, last.String())
	for range 2 {
		n := len(q.jobs)
		must(t, h.DigestFanout(f.ctx, jobs.FanoutJob(hour)), "DigestFanout")
		if ids := q.ids()[n:]; !slices.Contains(ids, weekly) {
			t.Fatalf("the fan-out enqueued %v, want %s", ids, weekly)
		}
		runJobs(t, f, h, q, n, transport.JobDigestWeekly)
	}
	sent := mailer.box.Sent()
	if len(sent) != 1 || sent[0].ID != weekly || sent[0].To != f.user.Email {
		t.Fatalf("mails %+v, want the digest of %s once", sent, last)
	}
	after := f.digestsByWeek()[last.String()]
	if after.ID != before.ID || after.DeliveredAt == nil {
		t.Errorf("the digest of %s: id %s → %s, DeliveredAt %v; want the backfilled one, delivered", last, before.ID, after.ID, after.DeliveredAt)
	}

	// Another import's backfill of that week (the score job again): rebuilt, never mailed again.
	n := len(q.jobs)
	runJobs(t, f, h, q, 0, transport.JobScoreBias)
	runJobs(t, f, h, q, n, transport.JobDigestWeekly)
	if n := len(mailer.box.Sent()); n != 1 {
		t.Errorf("%d mails after the backfill ran again, want 1", n)
	}
	if d := f.digestsByWeek()[last.String()]; d.DeliveredAt == nil || !d.DeliveredAt.Equal(*after.DeliveredAt) {
		t.Errorf("DeliveredAt moved from %v to %v", after.DeliveredAt, d.DeliveredAt)
	}
	// The earlier weeks the backfill built are still unmailed.
	for w, d := range f.digestsByWeek() {
		if w != last.String() && d.DeliveredAt != nil {
			t.Errorf("the backfilled digest of %s is marked delivered", w)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
