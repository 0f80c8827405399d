package broker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

const csvFile = `ts,symbol,side,qty,price,fee,feeAsset,extId,orderId,exchangeTradeId,liquidity
2026-03-01T10:00:00Z,BTC-USDT,BUY,0.010,64000.50,0.64,USDT,f-1,o-1,1001,maker
2026-03-01T10:00:00Z,BTC-USDT,BUY,0.020,64000.50,1.28,USDT,f-2,o-1,1002,maker
2026-03-01T12:30:00Z,BTC-USDT,SELL,0.030,65000,1.95,USDT,f-3,o-2,1003,taker
`

// A file is imported as a broker's page is: audit rows, progress events, dedupe on re-upload,
// deletions kept, scoring of the touched window — and every trade is the connection's broker's.
func TestImportCSVGoesThroughTheImporter(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn-csv", coach.BrokerCSV)
	scorer := &recordingScorer{}
	f.imp = mustImporter(t, broker.ImporterConfig{Store: f.store, Clock: f.clock, Scorer: scorer})
	ctx := context.Background()

	res, err := f.imp.ImportCSV(ctx, f.user, conn, strings.NewReader(csvFile), broker.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Inserted != 3 || res.Format != broker.CSVGeneric || scorer.calls.Load() != 1 {
		t.Fatalf("first upload: %+v, %d score requests", res, scorer.calls.Load())
	}
	if !scorer.from.Equal(mustTime(t, "2026-03-01T10:00:00Z")) || !scorer.to.After(mustTime(t, "2026-03-01T12:30:00Z")) {
		t.Fatalf("scored [%v, %v), want the file's trades' window", scorer.from, scorer.to)
	}
	for _, tr := range f.trades(t) {
		if tr.Broker != coach.BrokerCSV || tr.ConnectionID != conn.ID || tr.OrderID == "" {
			t.Fatalf("stored %+v", tr)
		}
	}
	if got := f.auditActions(t); len(got) != 2 || got[0] != coach.AuditImportStart || got[1] != coach.AuditImportDone {
		t.Fatalf("audit %v", got)
	}

	// The user deletes a fill, then uploads the same file again: nothing new, the deletion holds.
	if err := f.store.Trades().Delete(ctx, f.user, f.trades(t)[0].ID); err != nil {
		t.Fatal(err)
	}
	again, err := f.imp.ImportCSV(ctx, f.user, conn, strings.NewReader(csvFile), broker.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Inserted != 0 || again.Duplicates != 2 || again.Skipped != 1 || len(f.trades(t)) != 2 || scorer.calls.Load() != 1 {
		t.Fatalf("second upload: %+v, %d trades, %d score requests", again.Summary, len(f.trades(t)), scorer.calls.Load())
	}
}

func TestImportCSVRefusesABadFileAndStoresNothing(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn-csv", coach.BrokerCSV)
	ctx := context.Background()
	bad := csvFile + "2026-03-01T13:00:00Z,BTC-USDT,HOLD,1,1,,,f-4,,,\n"
	res, err := f.imp.ImportCSV(ctx, f.user, conn, strings.NewReader(bad), broker.CSVOptions{})
	if coach.ErrorCode(err) != coach.EINVALID || len(res.Errors) != 1 || res.Errors[0].Line != 5 || len(f.trades(t)) != 0 {
		t.Fatalf("bad row: %v, %+v, %d trades stored", err, res.Errors, len(f.trades(t)))
	}
	// With SkipBadRows the valid rows go in and the bad one is reported.
	res, err = f.imp.ImportCSV(ctx, f.user, conn, strings.NewReader(bad), broker.CSVOptions{SkipBadRows: true})
	if err != nil || res.Inserted != 3 || res.BadRows != 1 {
		t.Fatalf("skipping bad rows: %v, %+v", err, res)
	}
	if _, err := f.imp.ImportCSV(ctx, f.user, conn, strings.NewReader("ts,symbol,side,qty,price\n"), broker.CSVOptions{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("a file without trades: %v", err)
	}
	paused := conn
	paused.Status = coach.ConnectionPaused
	if _, err := f.imp.ImportCSV(ctx, f.user, paused, strings.NewReader(csvFile), broker.CSVOptions{}); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Fatalf("a paused connection: %v", err)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
