package transport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/transport"
)

func TestMuxRoutesByType(t *testing.T) {
	t.Parallel()
	rec := &servicetest.Metrics{}
	m := mustMux(t, transport.MuxConfig{Metrics: rec})
	var got []string
	mustHandle(t, m, "a", func(ctx context.Context, j transport.Job) error { got = append(got, "a:"+j.ID); return nil })
	boom := errors.New("boom")
	mustHandle(t, m, "b", func(ctx context.Context, j transport.Job) error { got = append(got, "b:"+j.ID); return boom })

	if err := m.Run(context.Background(), transport.Job{Type: "a", ID: "1"}); err != nil {
		t.Errorf("Run a: %v", err)
	}
	if err := m.Run(context.Background(), transport.Job{Type: "b", ID: "2"}); !errors.Is(err, boom) {
		t.Errorf("Run b: %v, want the handler's error", err)
	}
	err := m.Run(context.Background(), transport.Job{Type: "c", ID: "3"})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Run of an unknown type: %v, want EINVALID (dead-lettered, not retried)", err)
	}
	if diff := cmp.Diff([]string{"a:1", "b:2"}, got); diff != "" {
		t.Errorf("handlers run (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		typ, outcome string
	}{{"a", coach.OutcomeOK}, {"b", string(coach.EINTERNAL)}, {"unknown", string(coach.EINVALID)}} {
		if n := rec.Counted(coach.MetricJobsRun, "type", c.typ, "outcome", c.outcome); n != 1 {
			t.Errorf("jobs run of type %s, outcome %s = %d, want 1", c.typ, c.outcome, n)
		}
	}
	if n := rec.Observed(coach.MetricJobDuration, "type", "a", "outcome", coach.OutcomeOK); n != 1 {
		t.Errorf("durations of type a = %d, want 1", n)
	}
}

func TestMuxCountsAPanicAsInternal(t *testing.T) {
	t.Parallel()
	rec := &servicetest.Metrics{}
	m := mustMux(t, transport.MuxConfig{Metrics: rec})
	mustHandle(t, m, "p", func(context.Context, transport.Job) error { panic("handler bug") })
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the worker")
			}
		}()
		_ = m.Run(context.Background(), transport.Job{Type: "p", ID: "1"})
	}()
	if n := rec.Counted(coach.MetricJobsRun, "type", "p", "outcome", string(coach.EINTERNAL)); n != 1 {
		t.Errorf("panicking jobs counted = %d, want 1", n)
	}
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	// A Mux needs nothing: its config has only optional fields, and the zero config builds.
	if _, err := transport.NewMux(transport.MuxConfig{}); err != nil {
		t.Errorf("NewMux: %v", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*transport.Mux)(nil)})
}

func mustMux(t *testing.T, cfg transport.MuxConfig) *transport.Mux {
	t.Helper()
	m, err := transport.NewMux(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustHandle(t *testing.T, m *transport.Mux, typ string, h transport.Handler) {
	t.Helper()
	if err := m.Handle(typ, h); err != nil {
		t.Fatal(err)
	}
}

func TestMuxHandleRefusesMistakes(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, transport.Job) error { return nil }
	for name, register := range map[string]func(m *transport.Mux) error{
		"empty type":  func(m *transport.Mux) error { return m.Handle("", ok) },
		"nil handler": func(m *transport.Mux) error { return m.Handle("a", nil) },
		"twice": func(m *transport.Mux) error {
			if err := m.Handle("a", ok); err != nil {
				return err
			}
			return m.Handle("a", ok)
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := register(mustMux(t, transport.MuxConfig{})); coach.ErrorCode(err) != coach.EINVALID {
				t.Errorf("Handle = %v, want EINVALID", err)
			}
		})
	}
}

func TestExponentialBackoff(t *testing.T) {
	t.Parallel()
	b := transport.ExponentialBackoff(time.Second, 10*time.Second)
	for _, tc := range []struct {
		n    int
		want time.Duration // before jitter, which takes off at most 10%
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {60, 10 * time.Second}} {
		for range 20 {
			if got := b(tc.n); got > tc.want || got < tc.want-tc.want/10 {
				t.Fatalf("Backoff(%d) = %v, want %v less up to 10%%", tc.n, got, tc.want)
			}
		}
	}
}

func TestWeeklyDigestJob(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ at, week string }{
		{"2026-02-02T00:00:00Z", "2026-W05"}, // Monday: the week that just ended
		{"2026-02-08T23:59:59Z", "2026-W05"}, // Sunday of the next week: the same
		{"2026-01-05T00:00:00Z", "2026-W01"}, // ISO 2026-W01 starts on Mon 29 Dec 2025
		{"2021-01-04T00:00:00Z", "2020-W53"}, // a 53-week year
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		j := transport.WeeklyDigestJob(at)
		want := transport.Job{Type: transport.JobDigestWeekly, ID: "digest.weekly:" + tc.week, Queue: transport.QueueDigest,
			Payload: []byte(`{"week":"` + tc.week + `"}`), Retention: 8 * 24 * time.Hour}
		if diff := cmp.Diff(want, j); diff != "" {
			t.Errorf("WeeklyDigestJob(%s) (-want +got):\n%s", tc.at, diff)
		}
		if err := j.Validate(); err != nil {
			t.Errorf("WeeklyDigestJob(%s) invalid: %v", tc.at, err)
		}
	}
}

func TestPriorities(t *testing.T) {
	t.Parallel()
	want := map[string]int{transport.QueueImport: 4, transport.QueueScore: 3, transport.QueueSim: 2, transport.QueueDigest: 1}
	p := transport.Priorities()
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("Priorities (-want +got):\n%s", diff)
	}
	p[transport.QueueImport] = 0
	if transport.Priorities()[transport.QueueImport] != 4 {
		t.Error("Priorities returned a shared map")
	}
}

func TestJobValidate(t *testing.T) {
	t.Parallel()
	ok := transport.Job{Type: "t", ID: "x", Queue: transport.QueueSim}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid job: %v", err)
	}
	for name, j := range map[string]transport.Job{
		"long queue":         {Type: "t", ID: "x", Queue: string(make([]byte, 51))},
		"negative retention": {Type: "t", ID: "x", Queue: "q", Retention: -1},
	} {
		if coach.ErrorCode(j.Validate()) != coach.EINVALID {
			t.Errorf("%s: Validate did not give EINVALID", name)
		}
	}
}
