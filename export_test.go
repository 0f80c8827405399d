package coach_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

func TestExportValidate(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later, exp := at.Add(time.Minute), at.Add(7*24*time.Hour)
	sum := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	done := coach.Export{ID: "e1", UserID: "u1", Status: coach.ExportDone, RequestedAt: at, StartedAt: &at, FinishedAt: &later,
		ExpiresAt: &exp, Size: 10, SHA256: sum}
	failed := coach.Export{ID: "e1", UserID: "u1", Status: coach.ExportFailed, RequestedAt: at, StartedAt: &at, FinishedAt: &later,
		ExpiresAt: &exp, Error: &coach.ErrorPayload{Code: string(coach.EUNAVAILABLE), Message: "blob store down"}}
	for _, tc := range []struct {
		name string
		e    func() coach.Export
		ok   bool
	}{
		{"queued", func() coach.Export {
			return coach.Export{ID: "e1", UserID: "u1", Status: coach.ExportQueued, RequestedAt: at}
		}, true},
		{"done", func() coach.Export { return done }, true},
		{"failed", func() coach.Export { return failed }, true},
		{"unknown status", func() coach.Export { e := done; e.Status = "ready"; return e }, false},
		{"done without a hash", func() coach.Export { e := done; e.SHA256 = ""; return e }, false},
		{"done with an upper-case hash", func() coach.Export { e := done; e.SHA256 = "9F" + sum[2:]; return e }, false},
		{"done without expiry", func() coach.Export { e := done; e.ExpiresAt = nil; return e }, false},
		{"expires before it finished", func() coach.Export { e := done; e.ExpiresAt = &at; return e }, false},
		{"failed with an archive", func() coach.Export { e := failed; e.SHA256 = sum; return e }, false},
		{"failed without error", func() coach.Export { e := failed; e.Error = nil; return e }, false},
		{"done with an error", func() coach.Export { e := done; e.Error = failed.Error; return e }, false},
		{"queued with a start", func() coach.Export {
			return coach.Export{ID: "e1", UserID: "u1", Status: coach.ExportQueued, RequestedAt: at, StartedAt: &at}
		}, false},
		{"negative size", func() coach.Export { e := done; e.Size = -1; return e }, false},
		{"bad user", func() coach.Export { e := done; e.UserID = "a b"; return e }, false},
	} {
		err := tc.e().Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: code %s, want invalid", tc.name, coach.ErrorCode(err))
		}
	}
}
