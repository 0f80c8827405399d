package privacy_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// t0 is the fixture's first instant, at the microsecond precision every store keeps.
var t0 = time.Date(2026, 2, 2, 9, 30, 0, 123456000, time.UTC)

// Secrets the archive must never contain.
const (
	passwordHash = "$argon2id$v=19$m=65536,t=3,p=2$c2VjcmV0LXNhbHQ$SECRET-PASSWORD-HASH"
	accessToken  = "SECRET-ACCESS-TOKEN-sealed"
	refreshToken = "SECRET-REFRESH-TOKEN-sealed"
)

// written is everything the fixture wrote for one user, as each port returned it (or, where a
// port returns nothing, as written), in the order the archive lists it.
type written struct {
	user        coach.User
	connections []coach.BrokerConnection
	trades      []coach.Trade // trade order
	tombstones  []string      // broker/extId, key order
	tags        []coach.BiasTag
	revisions   []coach.BiasTag
	disputes    []coach.TagDispute
	notes       []coach.TradeNote
	questions   []coach.Question
	rules       []coach.Rule
	runs        []coach.SimulationRun // newest first
	digests     []coach.Digest        // latest first
	audit       []coach.Audit         // (createdAt, id)
	events      []coach.Event
	endpoints   []coach.WebhookEndpoint
	deliveries  []coach.WebhookDelivery // newest first
	blobKeys    []string
	// foreign are strings of another user's data that must not appear in the archive.
	foreign []string
}

// fixtureSizes says how much of each the fixture writes.
type fixtureSizes struct {
	trades, audit int
}

// writeUser stores a user with data in every table and a second user whose data must stay out of
// the first one's export.
func writeUser(t testing.TB, ctx context.Context, st storage.Store, blobs storage.Blobs, n fixtureSizes) written {
	t.Helper()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var w written
	w.user = coach.User{ID: coach.NewID(), Email: "trader-" + coach.NewID() + "@example.com", PasswordHash: passwordHash,
		CreatedAt: t0, TimeZone: "America/New_York", ReportingCurrency: "EUR"}
	other := coach.User{ID: coach.NewID(), Email: "other-" + coach.NewID() + "@example.com", PasswordHash: passwordHash, CreatedAt: t0}
	must(st.Users().Create(ctx, w.user), "create user")
	must(st.Users().Create(ctx, other), "create other user")
	w.foreign = append(w.foreign, other.ID, other.Email)

	exp := t0.Add(90 * 24 * time.Hour)
	for i, b := range []string{coach.BrokerCoinbase, coach.BrokerBinance} {
		c := coach.BrokerConnection{ID: coach.NewID(), UserID: w.user.ID, Broker: b, Status: coach.ConnectionActive,
			AccessEnc: []byte(accessToken), RefreshEnc: []byte(refreshToken), Scope: "wallet:trades:read", ExpiresAt: &exp,
			CreatedAt: t0.Add(time.Duration(i) * time.Minute), Label: "main"}
		must(st.Connections().Create(ctx, c), "create connection")
		w.connections = append(w.connections, c)
	}
	oc := coach.BrokerConnection{ID: coach.NewID(), UserID: other.ID, Broker: coach.BrokerBinance, Status: coach.ConnectionActive,
		AccessEnc: []byte(accessToken), Scope: "read", CreatedAt: t0}
	must(st.Connections().Create(ctx, oc), "create other's connection")
	w.foreign = append(w.foreign, oc.ID)

	// Trades, in batches, with ids of our own so that we know them; two are deleted.
	trade := func(userID, ext string, i int) coach.Trade {
		side := coach.Buy
		if i%3 == 2 {
			side = coach.Sell
		}
		return coach.Trade{ID: coach.NewID(), UserID: userID, Broker: coach.BrokerBinance, ExtID: ext, Symbol: "BTC-USDT", Side: side,
			Qty: decimal.New(int64(i%97+1), -3), Price: decimal.New(4300000+int64(i), -2),
			Fee: decimal.NewNullDecimal(decimal.New(int64(i%7), -6)), FeeAsset: "BNB", TS: t0.Add(time.Duration(i) * time.Minute),
			ConnectionID: w.connections[1].ID, OrderID: fmt.Sprintf("ord-%d", i), ExchangeTradeID: fmt.Sprintf("x%d", i),
			Liquidity: coach.Taker}
	}
	var all []coach.Trade
	for i := range n.trades {
		ext := fmt.Sprintf("ext-%07d", i)
		if i == 1 {
			ext = "=HYPERLINK(\"evil\")" // a formula-looking ext id, for the CSV
		}
		all = append(all, trade(w.user.ID, ext, i))
	}
	for i := 0; i < len(all); i += 5000 {
		_, err := st.Trades().Upsert(ctx, w.user.ID, all[i:min(i+5000, len(all))])
		must(err, "upsert trades")
	}
	ot := trade(other.ID, "OTHER-USERS-FILL", 1)
	ot.ConnectionID = oc.ID
	_, err := st.Trades().Upsert(ctx, other.ID, []coach.Trade{ot})
	must(err, "upsert other's trade")
	w.foreign = append(w.foreign, ot.ID, ot.ExtID)
	for _, i := range []int{3, 0} {
		must(st.Trades().Delete(ctx, w.user.ID, all[i].ID), "delete trade")
	}
	w.tombstones = []string{"binance/" + all[0].ExtID, "binance/" + all[3].ExtID}
	for i, tr := range all {
		if i != 0 && i != 3 {
			w.trades = append(w.trades, tr)
		}
	}

	// Tags on the first trades: one revised, one withdrawn; a dispute and a note.
	a, b := w.trades[0], w.trades[1]
	tag := func(tr coach.Trade, label string, rev int, conf float64) coach.BiasTag {
		return coach.BiasTag{ID: coach.NewID(), UserID: w.user.ID, TradeID: tr.ID, Label: label, Confidence: conf, Revision: rev,
			Features: json.RawMessage(fmt.Sprintf(`{"definitionVersion":"2026.1","rsi14":%g}`, 60+conf)), CreatedAt: t0}
	}
	fomo, panic1 := tag(a, coach.LabelFOMO, 1, 0.7), tag(b, coach.LabelPanic, 1, 0.6)
	must(st.Tags().Replace(ctx, w.user.ID, []string{a.ID, b.ID}, []coach.BiasTag{fomo, panic1}), "tags")
	fomo2 := fomo
	fomo2.Revision, fomo2.Confidence, fomo2.Features = 2, 0.9, json.RawMessage(`{"definitionVersion":"2026.2","rsi14":80.5}`)
	must(st.Tags().Replace(ctx, w.user.ID, []string{a.ID}, []coach.BiasTag{fomo2}), "revise tag")
	w.revisions = []coach.BiasTag{fomo, fomo2, panic1}
	slices.SortFunc(w.revisions, func(x, y coach.BiasTag) int {
		return cmp.Or(strings.Compare(x.TradeID, y.TradeID), strings.Compare(x.ID, y.ID), x.Revision-y.Revision)
	})
	w.tags = []coach.BiasTag{fomo2, panic1}
	if w.trades[1].ID < w.trades[0].ID { // tags.json goes by page of trades, then trade id
		w.tags = []coach.BiasTag{panic1, fomo2}
	}
	d, err := st.Disputes().Put(ctx, coach.TagDispute{ID: coach.NewID(), UserID: w.user.ID, TradeID: a.ID, Label: coach.LabelFOMO,
		TagID: fomo.ID, Reason: coach.DisputePlan, Note: "It was in my plan", CreatedAt: t0, UpdatedAt: t0})
	must(err, "dispute")
	w.disputes = []coach.TagDispute{d}
	note, err := st.Notes().Add(ctx, coach.TradeNote{ID: coach.NewID(), UserID: w.user.ID, TradeID: b.ID, Text: "sold into the dip", CreatedAt: t0, UpdatedAt: t0})
	must(err, "note")
	w.notes = []coach.TradeNote{note}
	question, err := st.Questions().Add(ctx, coach.Question{ID: coach.NewID(), UserID: w.user.ID, Text: "Why did I sell into the dip?",
		Answer: "You sold ETH 12.3% below its high.", Source: coach.AnswerModel, EvidenceIDs: []string{"tag:x:drawdown"}, CreatedAt: t0})
	must(err, "question")
	w.questions = []coach.Question{question}

	r := coach.Rule{ID: coach.NewID(), UserID: w.user.ID, Kind: "maxTradesPerDay", Params: json.RawMessage(`{"max":5}`), Active: true, CreatedAt: t0}
	must(st.Rules().Create(ctx, r), "rule")
	w.rules = []coach.Rule{r}

	for i := range 2 {
		run, err := st.SimulationRuns().Create(ctx, coach.SimulationRun{ID: coach.NewID(), UserID: w.user.ID, Status: coach.SimulationQueued,
			Params: json.RawMessage(`{"scenario":{"kind":"skipLabel","label":"FOMO"}}`), CreatedAt: t0.Add(time.Duration(i) * time.Hour)})
		must(err, "run")
		if i == 1 {
			_, err = st.SimulationRuns().Start(ctx, w.user.ID, run.ID, run.CreatedAt)
			must(err, "start run")
			run, _, err = st.SimulationRuns().Finish(ctx, w.user.ID, run.ID, storage.RunOutcome{Status: coach.SimulationDone,
				Result: json.RawMessage(`{"pnl":"12.5"}`), At: run.CreatedAt.Add(time.Minute)})
			must(err, "finish run")
		}
		w.runs = append([]coach.SimulationRun{run}, w.runs...)
	}
	for i := range 2 {
		dg, err := st.Digests().Put(ctx, coach.Digest{ID: coach.NewID(), UserID: w.user.ID, PeriodStart: coach.DateOf(t0).AddDays(7 * i),
			PeriodEnd: coach.DateOf(t0).AddDays(7*i + 6), Payload: json.RawMessage(`{"trades":3}`), CreatedAt: t0})
		must(err, "digest")
		w.digests = append([]coach.Digest{dg}, w.digests...)
	}

	// The audit log, longer than one page when asked, appended in one transaction.
	must(st.InTx(ctx, func(tx storage.Tx) error {
		for i := range n.audit {
			a := coach.Audit{ID: fmt.Sprintf("aud%07d", i), UserID: w.user.ID, Action: coach.AuditLogin,
				Meta: json.RawMessage(`{"ipHash":"h"}`), CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if err := tx.Audit().Append(ctx, a); err != nil {
				return err
			}
			w.audit = append(w.audit, a)
		}
		return tx.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: other.ID, Action: coach.AuditLogin,
			Meta: json.RawMessage(`{"other":"OTHER-USERS-AUDIT"}`), CreatedAt: t0})
	}), "audit")
	w.foreign = append(w.foreign, "OTHER-USERS-AUDIT")

	for i := range 3 {
		ev, err := coach.NewEvent(w.user.ID, coach.EventDigestReady, 1, coach.DigestReadyPayload{DigestID: w.digests[i%2].ID,
			PeriodStart: w.digests[i%2].PeriodStart, PeriodEnd: w.digests[i%2].PeriodEnd})
		must(err, "event")
		got, err := st.Events().Append(ctx, ev)
		must(err, "append event")
		w.events = append(w.events, got...)
	}
	ep, err := st.Webhooks().CreateEndpoint(ctx, coach.WebhookEndpoint{ID: coach.NewID(), UserID: w.user.ID, URL: "https://hooks.example.com/coach",
		EventTypes: []string{coach.EventDigestReady}, Enabled: true, SecretEnc: []byte("SEALED-WEBHOOK-SECRET"), CreatedAt: t0, UpdatedAt: t0})
	must(err, "webhook endpoint")
	ep.SecretEnc = nil // never in the archive
	w.endpoints = []coach.WebhookEndpoint{ep}
	for i, ev := range w.events {
		next := t0
		dl := coach.WebhookDelivery{ID: coach.NewID(), UserID: w.user.ID, EndpointID: ep.ID, MessageID: "msg_" + ev.ID, EventID: ev.ID,
			EventType: ev.Type, Body: json.RawMessage(`{"type":"digest.ready"}`), Status: coach.DeliveryPending, NextAttemptAt: &next,
			CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		must(st.Webhooks().Enqueue(ctx, w.user.ID, ep.ID, []coach.WebhookDelivery{dl}, nil), "enqueue delivery")
		dl.Body = nil
		w.deliveries = append([]coach.WebhookDelivery{dl}, w.deliveries...)
	}
	oep := coach.WebhookEndpoint{ID: coach.NewID(), UserID: other.ID, URL: "https://OTHER-USERS-HOOK.example.com/", Enabled: true,
		SecretEnc: []byte("x"), CreatedAt: t0, UpdatedAt: t0}
	_, err = st.Webhooks().CreateEndpoint(ctx, oep)
	must(err, "other's endpoint")
	w.foreign = append(w.foreign, "OTHER-USERS-HOOK")

	oev, _ := coach.NewEvent(other.ID, coach.EventDigestReady, 1, map[string]string{"digestId": "OTHER-USERS-DIGEST"})
	_, err = st.Events().Append(ctx, oev)
	must(err, "append other's event")
	w.foreign = append(w.foreign, "OTHER-USERS-DIGEST")

	key := storage.UserBlobKey(w.user.ID, "digests", w.digests[0].ID+".json")
	_, err = blobs.Put(ctx, key, strings.NewReader(`{"report":1}`), "application/json")
	must(err, "put a digest report")
	w.blobKeys = []string{key}
	okey := storage.UserBlobKey(other.ID, "digests", "OTHER-USERS-REPORT.json")
	_, err = blobs.Put(ctx, okey, strings.NewReader(`{}`), "application/json")
	must(err, "put other's report")
	w.foreign = append(w.foreign, "OTHER-USERS-REPORT")
	return w
}
