package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/transport/hmac"
)

// Helpers of the Coach, Digest, Simulations, Rules and Settings pages' tests.

// callCore calls core as userID (signed with the internal key, as the edge does) and decodes
// a 2xx answer into out; it fails the test on any other answer.
func (h *host) callCore(userID, method, path string, in, out any) int {
	h.t.Helper()
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(edge.KeyID, internalKey)})
	if err != nil {
		h.t.Fatal(err)
	}
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.core.URL+path, body)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(hmac.HeaderSubject, userID)
	res, err := (&http.Client{Transport: signer}).Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return res.StatusCode
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return res.StatusCode
}

// demoAccount signs up a user, connects the demo broker through core and waits until the coach has
// written a reflection; it returns the user's id and a signed-in browser.
func (h *host) demoAccount(email string) (string, *browser) {
	h.t.Helper()
	id := h.user(email, "a long enough password")
	if st := h.callCore(id, "POST", "/brokers/demo", nil, nil); st != http.StatusCreated {
		h.t.Fatalf("connect the demo broker: %d", st)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var evs struct {
			Events []coach.Event `json:"events"`
		}
		h.callCore(id, "GET", "/events", nil, &evs)
		n := 0
		for _, e := range evs.Events {
			if e.Type == coach.EventCoachReflect {
				n++
			}
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no reflection within a minute of connecting the demo broker (%d events)", len(evs.Events))
		}
		time.Sleep(100 * time.Millisecond)
	}
	b := h.browser()
	b.signIn(email, "a long enough password")
	return id, b
}

// putDigest stores a digest of last week for userID, with a suggestion whose note explains the
// two figures, and returns its ISO week. A demo account's import builds the digests of its past
// weeks once scored (the backfill): putDigest first waits for that week's, so that the one it
// puts in its place is not replaced by it.
func (h *host) putDigest(userID string) string {
	h.t.Helper()
	now := time.Now().UTC().AddDate(0, 0, -7)
	y, w := now.ISOWeek()
	week := digest.Week{Year: y, Week: w}
	waitFor(h.t, "the backfilled digest of "+week.String(), 2*time.Minute, func() bool {
		ds, err := h.in.Store.Digests().List(context.Background(), userID, 60)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, d := range ds {
			if d.PeriodStart == week.Monday() {
				return true
			}
		}
		return false
	})
	delta := decimal.RequireFromString("242.09")
	p := digest.Payload{V: digest.PayloadVersion, Week: week.String(), TimeZone: "UTC", PeriodStart: week.Monday(), PeriodEnd: week.Sunday(),
		Quote: "USDT", TradeCount: 12, ActiveDays: 4, Closes: 5, Realized: decimal.RequireFromString("-12.5"), Fees: decimal.RequireFromString("1.2"),
		CountsByBias: map[string]int{"FOMO": 3, "PANIC": 1},
		PnLByBias: map[string]digest.Bucket{"FOMO": {Realized: decimal.RequireFromString("-4.37"), Trades: 3, Closes: 1},
			"PANIC": {Realized: decimal.RequireFromString("2.10"), Trades: 1, Closes: 1}},
		Streaks: &digest.Streaks{Overall: digest.Streak{CurrentTrades: 3, BestTrades: 7, CurrentDays: 1, BestDays: 2}},
		Suggestion: digest.Suggestion{Kind: digest.SuggestLabel, Label: "FOMO", Text: "Your FOMO buys cost you most this week.",
			Evidence: digest.Evidence{Count: 3, Days: 2, Realized: decimal.RequireFromString("-4.37")}, Scenario: "skipLabel:FOMO", SimulationDelta: &delta,
			Note: "FOMO buys carried 4.37 USDT of realized loss; skipping them would have ended the week 242.09 USDT better, because the simulation also counts open positions."},
	}
	for i := range 7 {
		p.Days = append(p.Days, digest.Day{Date: week.Monday().AddDays(i), Trades: 2, Realized: decimal.NewFromInt(int64(i - 3)), Cumulative: decimal.NewFromInt(int64(i))})
	}
	raw, err := json.Marshal(p)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.in.Store.Digests().Put(context.Background(), coach.Digest{ID: coach.NewID(), UserID: userID, PeriodStart: p.PeriodStart,
		PeriodEnd: p.PeriodEnd, Payload: raw, CreatedAt: time.Now().UTC()}); err != nil {
		h.t.Fatal(err)
	}
	return week.String()
}

// compressed reads path gzipped and returns the bytes on the wire.
func (b *browser) compressed(path string) int {
	b.t.Helper()
	p := b.do("GET", path, "", nil, map[string]string{"Accept-Encoding": "gzip"})
	if p.status != http.StatusOK {
		b.t.Fatalf("%s: %d", path, p.status)
	}
	if p.header.Get("Content-Encoding") != "gzip" {
		b.t.Fatalf("%s: not gzipped", path)
	}
	return p.wire
}

// mustRedirect fails unless p is a 303 to a location starting with prefix, and returns it.
func (p page) mustRedirect(t testing.TB, prefix string) string {
	t.Helper()
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: %d to %q, want 303 to %s…\n%.3000s", p.path, p.status, loc, prefix, p.body)
	}
	return loc
}

// mustContain fails unless p's body holds every one of want.
func (p page) mustContain(t testing.TB, want ...string) page {
	t.Helper()
	text := html.UnescapeString(p.body)
	for _, w := range want {
		if !strings.Contains(p.body, w) && !strings.Contains(text, w) {
			t.Errorf("%s does not say %q", p.path, w)
		}
	}
	return p
}

// regexpFind returns the first group of pattern in s, or fails the test.
func regexpFind(t testing.TB, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the page", pattern)
	}
	return m[1]
}
