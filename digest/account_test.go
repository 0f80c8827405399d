package digest_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
)

var cmpNaN = cmp.Comparer(func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })

// berlinMonths are account windows of the Berlin trader for January to March 2026: February's
// disposition effect shows (clustered t 4.6 over 12 positions), January's only on Odean's naive
// t (4 positions), and March has not ended by the end of week 10.
func berlinMonths() []bias.AccountWindow {
	loc, _ := time.LoadLocation("Europe/Berlin")
	month := func(m time.Month, c bias.DispositionCounts, cl bias.Clustered) bias.AccountWindow {
		from := time.Date(2026, m, 1, 0, 0, 0, 0, loc)
		d := bias.DispositionFromCounts(c, 5)
		d.Clustered = cl
		return bias.AccountWindow{From: from.UTC(), To: from.AddDate(0, 1, 0).UTC(), Disposition: d,
			LossChasing: bias.LossChasing{PLoss: math.NaN(), PGain: math.NaN(), Diff: math.NaN(), SE: math.NaN(), T: math.NaN(),
				Insufficient: "insufficient data: 0 entries after a loss and 0 after a gain, need at least 5 of each",
				Clustered:    bias.Clustered{SE: math.NaN(), T: math.NaN()}}}
	}
	return []bias.AccountWindow{
		month(time.January, bias.DispositionCounts{Moments: 20, RG: 10, PG: 2, RL: 2, PL: 20}, bias.Clustered{Clusters: 4, SE: 0.3, T: 2.4}),
		month(time.February, bias.DispositionCounts{Moments: 30, RG: 20, PG: 10, RL: 5, PL: 40}, bias.Clustered{Clusters: 12, SE: 0.12, T: 4.6}),
		month(time.March, bias.DispositionCounts{Moments: 3, RG: 1, PG: 1, RL: 1, PL: 1}, bias.Clustered{Clusters: 2, SE: 0.5, T: 0}),
	}
}

// TestBuildAccountMonth: the digest reports the last month that ended by the end of the week, the
// effects it shows once clustered, and the coach's words on them.
func TestBuildAccountMonth(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	ws := berlinMonths()
	p := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Windows: ws})
	if p.Account == nil {
		t.Fatal("no account month")
	}
	if !p.Account.From.Equal(ws[1].From) || !p.Account.To.Equal(ws[1].To) {
		t.Errorf("month [%v, %v), want February in Berlin", p.Account.From, p.Account.To)
	}
	if diff := cmp.Diff(ws[1].Disposition, p.Account.Disposition, cmpNaN); diff != "" {
		t.Errorf("disposition (-window +payload):\n%s", diff)
	}
	if diff := cmp.Diff([]string{coach.LabelDisposition}, p.Account.Shows); diff != "" {
		t.Errorf("shows (-want +got):\n%s", diff)
	}
	if len(p.Account.Reflections) != 1 || p.Account.Reflections[0].Label != coach.LabelDisposition {
		t.Errorf("reflections %+v, want one on DISPOSITION", p.Account.Reflections)
	}

	// Week 5 (26 January to 1 February): January has ended; it shows only on the naive t.
	p5 := mustBuild(t, digest.Input{User: berlin(), Week: digest.Week{Year: 2026, Week: 5}, Trades: trades, Windows: ws})
	if p5.Account == nil || !p5.Account.From.Equal(ws[0].From) || len(p5.Account.Shows) != 0 || len(p5.Account.Reflections) != 0 {
		t.Errorf("week 5: %+v, want January showing nothing", p5.Account)
	}
	// Week 4: no month has ended; without windows, no account at all.
	if p4 := mustBuild(t, digest.Input{User: berlin(), Week: digest.Week{Year: 2026, Week: 4}, Windows: ws}); p4.Account != nil {
		t.Errorf("week 4: %+v, want none", p4.Account)
	}
	if p := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades}); p.Account != nil {
		t.Errorf("no windows: %+v, want none", p.Account)
	}
}

// TestBuildIgnoresRetiredTags: stored DISPOSITION and LOSS_CHASING tags count for nothing: not in
// countsByBias, pnlByBias, labelled or the suggestion.
func TestBuildIgnoresRetiredTags(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	want := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags})
	old := append(tags, tag("s1", coach.LabelDisposition), tag("s2", coach.LabelDisposition), tag("e1", coach.LabelLossChasing))
	got := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: old})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("retired tags changed the payload (-without +with):\n%s", diff)
	}
}

// AccountSource is a digest.AccountSource whose behaviour each test sets.
type AccountSource struct {
	AccountWindowsFunc func(ctx context.Context, userID string, to time.Time) ([]bias.AccountWindow, error)
}

func (s *AccountSource) AccountWindows(ctx context.Context, userID string, to time.Time) ([]bias.AccountWindow, error) {
	return s.AccountWindowsFunc(ctx, userID, to)
}

// TestServiceWeeklyAccount: the Service asks its AccountSource for the windows before the end of
// the week, and the stored payload reads back with them, undefined numbers as NaN.
func TestServiceWeeklyAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := seeded(t)
	var asked []time.Time
	src := &AccountSource{AccountWindowsFunc: func(_ context.Context, userID string, to time.Time) ([]bias.AccountWindow, error) {
		if userID != testUser {
			t.Errorf("asked for user %q", userID)
		}
		asked = append(asked, to)
		return berlinMonths(), nil
	}}
	svc := mustNew(t, digest.ServiceConfig{Store: st, Account: src, Clock: coach.NewManualClock(time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC))})
	d, err := svc.Weekly(ctx, testUser, w10)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	if len(asked) != 1 || !asked[0].Equal(w10.End(loc)) {
		t.Errorf("asked for windows before %v, want the end of the week only", asked)
	}
	p, err := digest.ParsePayload(d.Payload)
	if err != nil {
		t.Fatal(err)
	}
	want := mustBuild(t, digest.Input{User: berlin(), Week: w10, Windows: berlinMonths()}).Account
	if diff := cmp.Diff(want, p.Account, cmpNaN); diff != "" {
		t.Errorf("stored account (-want +got):\n%s", diff)
	}
	if !math.IsNaN(p.Account.LossChasing.Diff) {
		t.Errorf("loss chasing diff %v, want NaN (null in JSON)", p.Account.LossChasing.Diff)
	}
}

// TestRenderHTMLAccount: the report shows the coach's words on the last month, or says nothing
// stands out.
func TestRenderHTMLAccount(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	p := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Windows: berlinMonths()})
	html, err := digest.RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "Your account last month") || !strings.Contains(string(html), "In February 2026") &&
		!strings.Contains(string(html), "February 2026:") && !strings.Contains(string(html), "Your February 2026") {
		t.Errorf("report lacks February's reflection:\n%s", html)
	}
	p.Account.Reflections = nil
	html, _ = digest.RenderHTML(p)
	if !strings.Contains(string(html), "stands out") {
		t.Error("a month with nothing to say is not said")
	}
	p.Account = nil
	if html, _ = digest.RenderHTML(p); strings.Contains(string(html), "Your account last month") {
		t.Error("a payload without account shows the section")
	}
}
