package ledger_test

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin without the system's zoneinfo

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// sundayNight is a history whose second close is late on Sunday 8 March 2026 in UTC, which is
// already Monday 9 March (ISO week 11) in Berlin.
func sundayNight(t *testing.T) *ledger.Result {
	t.Helper()
	utc := func(day, hour, min int) time.Time { return time.Date(2026, 3, day, hour, min, 0, 0, time.UTC) }
	fills := []coach.Trade{
		fill("b1", buy, btc, "2", "100", 0, "0.2 USDT"),
		fill("b2", buy, eth, "10", "0.05", 0, ""),
		fill("s1", sel, btc, "1", "110", 0, ""),
		fill("s2", sel, btc, "1", "120", 0, "0.12 USDT"),
		fill("s3", sel, eth, "4", "0.06", 0, ""),
	}
	fills[0].TS, fills[1].TS = utc(8, 8, 0), utc(8, 8, 0)
	fills[2].TS = utc(8, 12, 0)
	fills[3].TS, fills[4].TS = utc(8, 23, 30), utc(8, 23, 30)
	r, err := ledger.New(ledger.FIFO).Apply(fills)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResultByPeriod(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	r := sundayNight(t)
	sunday := ledger.Total{Quote: "USDT", Closes: 1, Proceeds: d("110"), CostBasis: d("100"), Fees: d("0.1"), PnL: d("9.9")}
	mondayUSDT := ledger.Total{Quote: "USDT", Closes: 1, Proceeds: d("120"), CostBasis: d("100"), Fees: d("0.22"), PnL: d("19.78")}
	mondayBTC := ledger.Total{Quote: "BTC", Closes: 1, Proceeds: d("0.24"), CostBasis: d("0.2"), Fees: d("0"), PnL: d("0.04")}
	both := ledger.Total{Quote: "USDT", Closes: 2, Proceeds: d("230"), CostBasis: d("200"), Fees: d("0.32"), PnL: d("29.68")}
	with := func(tot ledger.Total, period string) ledger.Total { tot.Period = period; return tot }
	for _, tc := range []struct {
		name   string
		period func(time.Time) string
		want   []ledger.Total
	}{
		{"days in Berlin", ledger.DayPeriod(berlin), []ledger.Total{
			with(sunday, "2026-03-08"), with(mondayBTC, "2026-03-09"), with(mondayUSDT, "2026-03-09"),
		}},
		{"days in UTC", ledger.DayPeriod(time.UTC), []ledger.Total{with(mondayBTC, "2026-03-08"), with(both, "2026-03-08")}},
		{"nil location is UTC", ledger.DayPeriod(nil), []ledger.Total{with(mondayBTC, "2026-03-08"), with(both, "2026-03-08")}},
		{"ISO weeks in Berlin", ledger.WeekPeriod(berlin), []ledger.Total{
			with(sunday, "2026-W10"), with(mondayBTC, "2026-W11"), with(mondayUSDT, "2026-W11"),
		}},
		{"ISO weeks in UTC", ledger.WeekPeriod(nil), []ledger.Total{with(mondayBTC, "2026-W10"), with(both, "2026-W10")}},
		{"months in Berlin", ledger.MonthPeriod(berlin), []ledger.Total{with(mondayBTC, "2026-03"), with(both, "2026-03")}},
		{"years in Berlin", ledger.YearPeriod(berlin), []ledger.Total{with(mondayBTC, "2026"), with(both, "2026")}},
		{"years in UTC", ledger.YearPeriod(nil), []ledger.Total{with(mondayBTC, "2026"), with(both, "2026")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, r.ByPeriod(tc.period)); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResultBySymbol(t *testing.T) {
	t.Parallel()
	want := []ledger.Total{
		{Symbol: btc, Quote: "USDT", Closes: 2, Proceeds: d("230"), CostBasis: d("200"), Fees: d("0.32"), PnL: d("29.68")},
		{Symbol: eth, Quote: "BTC", Closes: 1, Proceeds: d("0.24"), CostBasis: d("0.2"), Fees: d("0"), PnL: d("0.04")},
	}
	if diff := cmp.Diff(want, sundayNight(t).BySymbol()); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if got := (&ledger.Result{}).BySymbol(); len(got) != 0 {
		t.Errorf("empty result: totals %v", got)
	}
}

func TestResultUnrealized(t *testing.T) {
	t.Parallel()
	r, err := ledger.New(ledger.FIFO).Apply([]coach.Trade{
		fill("b1", buy, btc, "1", "100", 0, "0.1 USDT"),
		fill("b2", buy, btc, "1", "200", 1, "?"),
		fill("b3", buy, eth, "10", "0.05", 1, ""),
		fill("s1", sel, btc, "0.5", "150", 2, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantBTC := ledger.Unrealized{
		Symbol: btc, Qty: d("1.5"), Price: d("300"), MarketValue: d("450"), CostBasis: d("250"), Fees: d("0.05"), PnL: d("199.95"),
		FeesUnknown: true,
	}
	got, err := r.Unrealized(map[coach.Symbol]decimal.Decimal{btc: d("300"), eth: d("0.04")})
	if err != nil {
		t.Fatal(err)
	}
	wantETH := ledger.Unrealized{Symbol: eth, Qty: d("10"), Price: d("0.04"), MarketValue: d("0.4"), CostBasis: d("0.5"), Fees: d("0"), PnL: d("-0.1")}
	if diff := cmp.Diff([]ledger.Unrealized{wantBTC, wantETH}, got); diff != "" {
		t.Errorf("unrealized (-want +got):\n%s", diff)
	}

	// A missing or non-positive price is an error naming the symbol, never a zero.
	for _, prices := range []map[coach.Symbol]decimal.Decimal{{btc: d("300")}, {btc: d("300"), eth: d("0")}} {
		got, err = r.Unrealized(prices)
		if coach.ErrorCode(err) != coach.EINVALID || !cmp.Equal(coach.ErrorMessage(err), "unrealized: no price for ETH-BTC") {
			t.Errorf("prices %v: error %v, want EINVALID naming ETH-BTC", prices, err)
		}
		if diff := cmp.Diff([]ledger.Unrealized{wantBTC}, got); diff != "" {
			t.Errorf("prices %v: unrealized (-want +got):\n%s", prices, diff)
		}
	}
}

func TestResultByQuote(t *testing.T) {
	t.Parallel()
	want := []ledger.Total{
		{Quote: "BTC", Closes: 1, Proceeds: d("0.24"), CostBasis: d("0.2"), Fees: d("0"), PnL: d("0.04")},
		{Quote: "USDT", Closes: 2, Proceeds: d("230"), CostBasis: d("200"), Fees: d("0.32"), PnL: d("29.68")},
	}
	if diff := cmp.Diff(want, sundayNight(t).ByQuote()); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}

func TestYearPeriodAtNewYear(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	eve := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // 00:30 on 1 January 2027 in Berlin
	if got := ledger.YearPeriod(berlin)(eve); got != "2027" {
		t.Errorf("YearPeriod(Berlin) = %q, want 2027", got)
	}
	if got := ledger.YearPeriod(nil)(eve); got != "2026" {
		t.Errorf("YearPeriod(UTC) = %q, want 2026", got)
	}
}
