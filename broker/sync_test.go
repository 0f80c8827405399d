package broker_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
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
