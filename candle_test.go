package coach_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

func TestIntervalDuration(t *testing.T) {
	t.Parallel()
	for i, want := range map[coach.Interval]time.Duration{
		coach.Minute1: time.Minute, coach.Minute5: 5 * time.Minute, coach.Minute15: 15 * time.Minute,
		coach.Hour1: time.Hour, coach.Hour4: 4 * time.Hour, coach.Day1: 24 * time.Hour,
		"": 0, "1w": 0, "1M": 0, "60m": 0,
	} {
		if got := i.Duration(); got != want {
			t.Errorf("Interval(%q).Duration() = %v, want %v", i, got, want)
		}
	}
}

func validCandle() coach.Candle {
	return coach.Candle{
		Symbol: "BTC-USDT", Interval: coach.Hour4, OpenTime: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC),
		Open: 65000, High: 65500, Low: 64800, Close: 65100, Volume: 12.5,
	}
}

func TestCandleValidate(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*coach.Candle)
		want string // a word of the message, "" when valid
	}{
		{"valid", func(*coach.Candle) {}, ""},
		{"flat bar", func(c *coach.Candle) { c.Open, c.High, c.Low, c.Close = 1, 1, 1, 1 }, ""},
		{"no volume", func(c *coach.Candle) { c.Volume = 0 }, ""},
		{"daily bar at UTC midnight", func(c *coach.Candle) {
			c.Interval, c.OpenTime = coach.Day1, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		}, ""},
		{"open time given in another zone", func(c *coach.Candle) { c.OpenTime = c.OpenTime.In(berlin) }, ""},

		{"non-canonical symbol", func(c *coach.Candle) { c.Symbol = "BTCUSDT" }, "symbol"},
		{"unknown interval", func(c *coach.Candle) { c.Interval = "2h" }, "interval"},
		{"no open time", func(c *coach.Candle) { c.OpenTime = time.Time{} }, "openTime"},
		{"open time not aligned", func(c *coach.Candle) { c.OpenTime = c.OpenTime.Add(time.Hour) }, "openTime"},
		{"open time off by a nanosecond", func(c *coach.Candle) { c.OpenTime = c.OpenTime.Add(1) }, "openTime"},
		{"daily bar at Berlin midnight", func(c *coach.Candle) {
			c.Interval, c.OpenTime = coach.Day1, time.Date(2026, 3, 2, 0, 0, 0, 0, berlin)
		}, "openTime"},
		{"NaN close", func(c *coach.Candle) { c.Close = math.NaN() }, "finite"},
		{"infinite high", func(c *coach.Candle) { c.High = math.Inf(1) }, "finite"},
		{"NaN volume", func(c *coach.Candle) { c.Volume = math.NaN() }, "finite"},
		{"zero low", func(c *coach.Candle) { c.Low, c.Open, c.Close = 0, 0, 0 }, "low"},
		{"negative prices", func(c *coach.Candle) { c.Low, c.Open, c.Close, c.High = -2, -1, -1, -1 }, "low"},
		{"low above high", func(c *coach.Candle) { c.Low = 66000 }, "low"},
		{"open above high", func(c *coach.Candle) { c.Open = 65600 }, "low"},
		{"open below low", func(c *coach.Candle) { c.Open = 64000 }, "low"},
		{"close above high", func(c *coach.Candle) { c.Close = 65501 }, "low"},
		{"close below low", func(c *coach.Candle) { c.Close = 64799 }, "low"},
		{"negative volume", func(c *coach.Candle) { c.Volume = -1 }, "volume"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validCandle()
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.want) {
				t.Errorf("Validate() = %v, want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
}

func TestCandleCloseTime(t *testing.T) {
	t.Parallel()
	c := validCandle()
	if got, want := c.CloseTime(), c.OpenTime.Add(4*time.Hour); !got.Equal(want) {
		t.Errorf("CloseTime() = %v, want %v", got, want)
	}
}
