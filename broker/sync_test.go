package broker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

// A successful import moves the connection's sync mark to its window's end; a failed one does not,
// and a window that would leave a gap does not either.
func TestImportMarksTheConnectionSynced(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := context.Background()
	conn := f.connect(t, "conn1", "coinbase")
	through := func() time.Time {
		t.Helper()
		st, err := f.store.Syncs().State(ctx, f.user, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		return st.SyncedThrough
	}
	from, to := importNow.Add(-7*24*time.Hour), importNow.Add(-4*24*time.Hour)
	if _, err := f.imp.ImportWindow(ctx, f.user, conn, newPagedBroker("coinbase", "cb", []string{"fills"}, 4, 1), from, to); err != nil {
		t.Fatal(err)
	}
	if got := through(); !got.Equal(to) {
		t.Errorf("synced through %v after importing [%v, %v), want its end", got, from, to)
	}
	failing := newPagedBroker("coinbase", "cb", []string{"fills"}, 8, 1)
	failing.ignore, failing.failAfter, failing.failErr = true, 1, coach.Errorf(coach.EUNAVAILABLE, "broker down")
	if _, err := f.imp.ImportWindow(ctx, f.user, conn, failing, to, importNow); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("failing import: %v", err)
	}
	if got := through(); !got.Equal(to) {
		t.Errorf("a failed import moved the mark to %v", got)
	}
	if _, err := f.imp.ImportWindow(ctx, f.user, conn, newPagedBroker("coinbase", "cb", []string{"fills"}, 4, 1), to.Add(time.Hour), importNow); err != nil {
		t.Fatal(err)
	}
	if got := through(); !got.Equal(to) {
		t.Errorf("a window leaving a gap moved the mark to %v", got)
	}
	if _, err := f.imp.ImportWindow(ctx, f.user, conn, newPagedBroker("coinbase", "cb", []string{"fills"}, 4, 1), to, importNow); err != nil {
		t.Fatal(err)
	}
	if got := through(); !got.Equal(importNow) {
		t.Errorf("synced through %v after importing up to %v", got, importNow)
	}
}

// An import of some pairs only, or of a file, leaves the rest of its window unread: it does not
// move the sync mark, so the schedule still imports that window from the broker.
func TestPartialImportsLeaveTheSyncMark(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := context.Background()
	conn := f.connect(t, "conn1", "coinbase")
	from, to := importNow.Add(-7*24*time.Hour), importNow.Add(-4*24*time.Hour)
	if _, err := f.imp.ImportWindow(ctx, f.user, conn, newPagedBroker("coinbase", "cb", []string{"fills"}, 4, 1), from, to, "BTC-USD"); err != nil {
		t.Fatal(err)
	}
	file := "ts,symbol,side,qty,price\n" + from.Add(time.Hour).Format(time.RFC3339) + ",BTC-USD,BUY,0.1,42000\n"
	if _, err := f.imp.ImportCSV(ctx, f.user, conn, strings.NewReader(file), broker.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := f.store.Syncs().State(ctx, f.user, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.SyncedThrough.IsZero() {
		t.Errorf("synced through %v after imports of one pair and of a file, want no mark", st.SyncedThrough)
	}
}
