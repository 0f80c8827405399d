package web

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

func TestFormInvalidNamesTheFieldInPlainWords(t *testing.T) {
	fields := map[string]string{"params.pct": "pct", "lookbackHours": "lookbackHours", "scenario.label": "label", "url": "url"}
	for _, tc := range []struct {
		name string
		err  error
		want httpjson.FieldErrors
	}{
		{"open-closed", coach.Errorf(coach.EINVALID, "params.pct: must be in (0, 1000]"), httpjson.FieldErrors{{Field: "pct", Message: "Must be more than 0 and at most 1000."}}},
		{"closed", coach.Errorf(coach.EINVALID, "params.lookbackHours: must be in [1, 720]"), httpjson.FieldErrors{{Field: "lookbackHours", Message: "Must be from 1 to 720."}}},
		{"closed-open", coach.Errorf(coach.EINVALID, "scenario.label: must be in [0, 100)"), httpjson.FieldErrors{{Field: "label", Message: "Must be at least 0 and less than 100."}}},
		{"prefixed", coach.Errorf(coach.EINVALID, "webhook: url: want https"), httpjson.FieldErrors{{Field: "url", Message: "Want https."}}},
		{"unknown field", coach.Errorf(coach.EINVALID, "points: must be in [2, 2000]"), httpjson.FieldErrors{{Field: "", Message: "Points: must be from 2 to 2000."}}},
		{"field errors", httpjson.FieldErrors{{Field: "params.pct", Message: "required"}}, httpjson.FieldErrors{{Field: "pct", Message: "Required."}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := formInvalid(tc.err, fields)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if err := coach.Errorf(coach.ENOTFOUND, "no such rule"); formInvalid(err, fields) != err {
		t.Error("an error of another code is changed")
	}
}

func TestRevealsShowASecretOnceToItsUser(t *testing.T) {
	r := newReveals(coach.SystemClock{})
	tok := r.put("u1", "https://example.com/h", "whsec_x")
	if _, _, ok := r.take("u2", tok); ok {
		t.Fatal("another user took the secret")
	}
	if _, s, ok := r.take("u1", tok); !ok || s != "whsec_x" {
		t.Fatalf("take: %q %v", s, ok)
	}
	if _, _, ok := r.take("u1", tok); ok {
		t.Fatal("the secret was shown twice")
	}
}
