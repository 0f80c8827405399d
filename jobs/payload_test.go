package jobs_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/transport"
)

var (
	monday = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	ny     = mustLoad("America/New_York")
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func TestIDs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{jobs.ImportID("cconn1", monday), "import:cconn1:2026-01-05T00:00:00Z"},
		{jobs.ImportID("cconn1", monday.In(ny)), "import:cconn1:2026-01-05T00:00:00Z"},
		{jobs.ImportID("cconn1", monday.Add(1500*time.Millisecond)), "import:cconn1:2026-01-05T00:00:01.5Z"},
		{jobs.ScoreID("cuser1", monday, monday.Add(24*time.Hour), "2026.1"), "score:cuser1:2026-01-05T00:00:00Z:2026-01-06T00:00:00Z:2026.1"},
		{jobs.SimulateID("crun1"), "simulate:crun1"},
		{jobs.DigestID("cuser1", "2026-W02"), "digest:cuser1:2026-W02"},
		{jobs.DigestBackfillID("cuser1", "2026-W02", monday, monday.Add(24*time.Hour), "2026.3"),
			"digest:cuser1:2026-W02:backfill:2026-01-05T00:00:00Z:2026-01-06T00:00:00Z:2026.3"},
	} {
		if tc.got != tc.want {
			t.Errorf("id %q, want %q", tc.got, tc.want)
		}
	}
	// What makes two score jobs different: the user, the window (a later import) and the
	// definitions.
	base := jobs.ScoreID("cuser1", monday, monday.Add(time.Hour), "2026.1")
	for name, other := range map[string]string{
		"another user":        jobs.ScoreID("cuser2", monday, monday.Add(time.Hour), "2026.1"),
		"a later import":      jobs.ScoreID("cuser1", monday.Add(time.Hour), monday.Add(2*time.Hour), "2026.1"),
		"a longer window":     jobs.ScoreID("cuser1", monday, monday.Add(2*time.Hour), "2026.1"),
		"another version":     jobs.ScoreID("cuser1", monday, monday.Add(time.Hour), "2026.2"),
		"the same in another": jobs.ScoreID("cuser1", monday.In(ny), monday.Add(time.Hour).In(ny), "2026.1"),
	} {
		if (other == base) != (name == "the same in another") {
			t.Errorf("%s: id %q against %q", name, other, base)
		}
	}
}

func TestJobs(t *testing.T) {
	t.Parallel()
	imp := jobs.ImportPayload{UserID: "cuser1", ConnectionID: "cconn1", WindowStart: monday.In(ny), WindowEnd: monday.Add(time.Hour), Symbols: []coach.Symbol{"BTC-USDT"}}
	j, err := jobs.ImportJob(imp)
	if err != nil {
		t.Fatal(err)
	}
	if j.Type != transport.JobImportTrades || j.Queue != transport.QueueImport || j.ID != jobs.ImportID("cconn1", monday) {
		t.Errorf("import job %s %s %s", j.Type, j.Queue, j.ID)
	}
	back, err := jobs.ParseImport(j.Payload)
	if err != nil {
		t.Fatal(err)
	}
	imp.WindowStart = monday
	if diff := cmp.Diff(imp, back); diff != "" {
		t.Errorf("import payload round trip (-want +got):\n%s", diff)
	}

	sc := jobs.ScorePayload{UserID: "cuser1", From: monday, To: monday.Add(time.Hour), DefinitionVersion: "2026.1"}
	j, err = jobs.ScoreJob(sc)
	if err != nil {
		t.Fatal(err)
	}
	if j.Type != transport.JobScoreBias || j.Queue != transport.QueueScore || j.ID != jobs.ScoreID("cuser1", sc.From, sc.To, "2026.1") {
		t.Errorf("score job %s %s %s", j.Type, j.Queue, j.ID)
	}
	if back, err := jobs.ParseScore(j.Payload); err != nil || back != sc {
		t.Errorf("score payload round trip: %+v, %v", back, err)
	}

	sp := jobs.SimulatePayload{UserID: "cuser1", RunID: "crun1"}
	j, err = jobs.SimulateJob(sp)
	if err != nil {
		t.Fatal(err)
	}
	if j.Type != transport.JobSimulateSimple || j.Queue != transport.QueueSim || j.ID != "simulate:crun1" {
		t.Errorf("simulate job %s %s %s", j.Type, j.Queue, j.ID)
	}
	if back, err := jobs.ParseSimulate(j.Payload); err != nil || back != sp {
		t.Errorf("simulate payload round trip: %+v, %v", back, err)
	}

	dp := jobs.DigestPayload{UserID: "cuser1", Week: "2026-W02"}
	j, err = jobs.DigestJob(dp)
	if err != nil {
		t.Fatal(err)
	}
	if j.Type != transport.JobDigestWeekly || j.Queue != transport.QueueDigest || j.ID != "digest:cuser1:2026-W02" || j.Retention != jobs.DigestRetention {
		t.Errorf("digest job %s %s %s retention %s", j.Type, j.Queue, j.ID, j.Retention)
	}
	if back, err := jobs.ParseDigest(j.Payload); err != nil || back != dp {
		t.Errorf("digest payload round trip: %+v, %v", back, err)
	}
	// A digest job mails unless told not to: the payload of the weekly job has no noMail, as
	// every payload written before the field existed, and those still parse as mailing.
	if got := string(j.Payload); got != `{"userId":"cuser1","week":"2026-W02"}` {
		t.Errorf("digest payload %s, want no noMail", got)
	}
	if back, err := jobs.ParseDigest([]byte(`{"userId":"cuser1","week":"2026-W02"}`)); err != nil || back.NoMail {
		t.Errorf("a payload of before noMail: %+v, %v; want one that mails", back, err)
	}
	bp := jobs.ScorePayload{UserID: "cuser1", From: monday, To: monday.Add(24 * time.Hour), DefinitionVersion: "2026.3"}
	j, err = jobs.DigestBackfillJob(bp, "2026-W01")
	if err != nil {
		t.Fatal(err)
	}
	bd, err := jobs.ParseDigest(j.Payload)
	if err != nil || bd != (jobs.DigestPayload{UserID: "cuser1", Week: "2026-W01", NoMail: true}) || !strings.Contains(string(j.Payload), `"noMail":true`) {
		t.Errorf("backfill payload %s: %+v, %v; want noMail", j.Payload, bd, err)
	}
	if j.Type != transport.JobDigestWeekly || j.Queue != transport.QueueDigest || j.ID != jobs.DigestBackfillID("cuser1", "2026-W01", bp.From, bp.To, "2026.3") {
		t.Errorf("backfill job %s %s %s", j.Type, j.Queue, j.ID)
	}
	if _, err := jobs.DigestBackfillJob(bp, "2026-W54"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("a backfill of no week: %v, want EINVALID", err)
	}
	// The longest ids fit a job id (200 characters).
	long := strings.Repeat("u", 64)
	late := time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	if _, err := jobs.DigestBackfillJob(jobs.ScorePayload{UserID: long, From: late.Add(-time.Nanosecond), To: late, DefinitionVersion: strings.Repeat("v", 32)}, "9999-W52"); err != nil {
		t.Errorf("the longest backfill id: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	const (
		win = `"windowStart":"2026-01-05T00:00:00Z","windowEnd":"2026-01-06T00:00:00Z"`
		ft  = `"from":"2026-01-05T00:00:00Z","to":"2026-01-06T00:00:00Z"`
	)
	parsers := map[string]func([]byte) error{
		"import":   func(b []byte) error { _, err := jobs.ParseImport(b); return err },
		"score":    func(b []byte) error { _, err := jobs.ParseScore(b); return err },
		"simulate": func(b []byte) error { _, err := jobs.ParseSimulate(b); return err },
		"digest":   func(b []byte) error { _, err := jobs.ParseDigest(b); return err },
	}
	for _, tc := range []struct{ parser, name, payload string }{
		{"import", "valid", `{"userId":"u1","connectionId":"c1",` + win + `}`},
		{"import", "no connection", `{"userId":"u1",` + win + `}`},
		{"import", "empty window", `{"userId":"u1","connectionId":"c1","windowStart":"2026-01-05T00:00:00Z","windowEnd":"2026-01-05T00:00:00Z"}`},
		{"import", "bad symbol", `{"userId":"u1","connectionId":"c1",` + win + `,"symbols":["BTCUSDT"]}`},
		{"import", "unknown field", `{"userId":"u1","connectionId":"c1",` + win + `,"force":true}`},
		{"import", "id with a colon", `{"userId":"u1","connectionId":"c:1",` + win + `}`},
		{"import", "two objects", `{"userId":"u1","connectionId":"c1",` + win + `}{}`},
		{"import", "an array", `[]`},
		{"import", "empty", ``},
		{"import", "too large", `{"userId":"u1","connectionId":"c1",` + win + `,"symbols":["` + strings.Repeat("A", 9000) + `"]}`},
		{"score", "valid", `{"userId":"u1",` + ft + `,"definitionVersion":"2026.1"}`},
		{"score", "no version", `{"userId":"u1",` + ft + `}`},
		{"score", "version with a newline", `{"userId":"u1",` + ft + `,"definitionVersion":"2026\n1"}`},
		{"score", "open window", `{"userId":"u1","from":"2026-01-05T00:00:00Z","definitionVersion":"2026.1"}`},
		{"score", "window backwards", `{"userId":"u1","from":"2026-01-06T00:00:00Z","to":"2026-01-05T00:00:00Z","definitionVersion":"2026.1"}`},
		{"simulate", "valid", `{"userId":"u1","runId":"r1"}`},
		{"simulate", "no run", `{"userId":"u1"}`},
		{"simulate", "a number for the run", `{"userId":"u1","runId":7}`},
		{"digest", "valid", `{"userId":"u1","week":"2026-W02"}`},
		{"digest", "the fan-out's payload", `{"week":"2026-W02"}`},
		{"digest", "week 54", `{"userId":"u1","week":"2026-W54"}`},
		{"digest", "a date", `{"userId":"u1","week":"2026-01-05"}`},
	} {
		err := parsers[tc.parser]([]byte(tc.payload))
		if tc.name == "valid" {
			if err != nil {
				t.Errorf("%s %s: %v", tc.parser, tc.name, err)
			}
			continue
		}
		if coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s %s: %v, want EINVALID", tc.parser, tc.name, err)
		}
	}
}

func TestJobBuildersRefuseInvalidPayloads(t *testing.T) {
	t.Parallel()
	for name, err := range map[string]error{
		"import":   second(jobs.ImportJob(jobs.ImportPayload{UserID: "u1", ConnectionID: "c1"})),
		"score":    second(jobs.ScoreJob(jobs.ScorePayload{UserID: "u1", From: monday, To: monday.Add(time.Hour)})),
		"simulate": second(jobs.SimulateJob(jobs.SimulatePayload{UserID: "u1"})),
		"digest":   second(jobs.DigestJob(jobs.DigestPayload{UserID: "u1", Week: "2026-W00"})),
	} {
		if coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func second(_ transport.Job, err error) error { return err }

func TestClassify(t *testing.T) {
	t.Parallel()
	for code, want := range map[coach.Code]jobs.Action{
		coach.EINVALID: jobs.Reject, coach.ENOTFOUND: jobs.Skip, coach.EUNAUTHORIZED: jobs.Skip, coach.EFORBIDDEN: jobs.Skip,
		coach.EGONE: jobs.Skip, coach.EUNAVAILABLE: jobs.Retry, coach.ERATELIMITED: jobs.Retry, coach.ERETRYABLE: jobs.Retry,
		coach.ECONFLICT: jobs.Retry, coach.ECANCELED: jobs.Retry, coach.EINTERNAL: jobs.Retry,
	} {
		if got := jobs.Classify(coach.Errorf(code, "x")); got != want {
			t.Errorf("Classify(%s) = %s, want %s", code, got, want)
		}
	}
	if got := jobs.Classify(nil); got != jobs.Done {
		t.Errorf("Classify(nil) = %s, want done", got)
	}
	if got := jobs.Classify(errors.New("driver: connection reset")); got != jobs.Retry {
		t.Errorf("Classify(a driver error) = %s, want retry (internal)", got)
	}
}
