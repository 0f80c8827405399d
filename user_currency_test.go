package coach_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

// TestUserReportingCurrency checks the default, the validation and the JSON name of
// User.ReportingCurrency.
func TestUserReportingCurrency(t *testing.T) {
	t.Parallel()
	u := validUser()
	if got := u.Currency(); got != "USD" {
		t.Errorf("Currency() of a user without a choice = %q, want USD", got)
	}
	for cur, ok := range map[string]bool{
		"": true, "USD": true, "EUR": true, "USDT": true, "FDUSD": true, "1INCH": true, "ABCDEFGHIJ": true,
		"usd": false, "U": false, "ABCDEFGHIJK": false, "US D": false, "US-D": false, "ÜSD": false, "Usd": false,
	} {
		u.ReportingCurrency = cur
		err := u.Validate()
		if (err == nil) != ok || (err != nil && coach.ErrorCode(err) != coach.EINVALID) {
			t.Errorf("Validate with reportingCurrency %q: %v, want ok=%v", cur, err, ok)
		}
		if ok && cur != "" && u.Currency() != cur {
			t.Errorf("Currency() = %q, want %q", u.Currency(), cur)
		}
	}
	u.ReportingCurrency = "EUR"
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"reportingCurrency":"EUR"`) {
		t.Errorf("JSON %s: want reportingCurrency", b)
	}
	var back coach.User
	if err := json.Unmarshal(b, &back); err != nil || back.ReportingCurrency != "EUR" {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	u.ReportingCurrency = ""
	if b, _ := json.Marshal(u); strings.Contains(string(b), "reportingCurrency") {
		t.Errorf("JSON %s: an unset currency is omitted like timeZone", b)
	}
}
