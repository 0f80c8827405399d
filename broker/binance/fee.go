package binance

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/internal/wire"
)

// feeLookback is how far before a fill FeeInQuote looks for a one-minute candle of the fee
// asset, for minutes without trades.
const feeLookback = 15 * time.Minute

// FeeInQuote returns t's fee in t's quote asset at fill time, leaving t (and so the raw fee and
// its asset) unchanged. A fee in the quote asset is returned as is; one in the base asset is
// multiplied by the fill's own price; one in a third asset (BNB) is multiplied by the close of
// the latest one-minute candle of FEE-QUOTE opened at or before the fill (within 15 minutes), or
// divided by that of QUOTE-FEE when md knows only that pair. A trade without a fee has none to
// convert (EINVALID); ENOTFOUND when md has no candle to convert with.
func FeeInQuote(ctx context.Context, t coach.Trade, md broker.MarketData) (decimal.Decimal, error) {
	if !t.Fee.Valid {
		return decimal.Decimal{}, coach.Errorf(coach.EINVALID, "trade %s: no fee to convert", wire.Clip(t.ExtID))
	}
	fee := t.Fee.Decimal
	switch t.FeeAsset {
	case t.Symbol.Quote():
		return fee, nil
	case t.Symbol.Base():
		return fee.Mul(t.Price), nil
	case "":
		if fee.IsZero() {
			return fee, nil
		}
		return decimal.Decimal{}, coach.Errorf(coach.EINVALID, "trade %s: fee without an asset", wire.Clip(t.ExtID))
	}
	if fee.IsZero() {
		return fee, nil
	}
	rate, err := closeAt(ctx, md, coach.Symbol(t.FeeAsset+"-"+t.Symbol.Quote()), t.TS)
	if err == nil {
		return fee.Mul(rate), nil
	}
	if coach.ErrorCode(err) != coach.ENOTFOUND {
		return decimal.Decimal{}, err
	}
	inv, err := closeAt(ctx, md, coach.Symbol(t.Symbol.Quote()+"-"+t.FeeAsset), t.TS)
	if err != nil {
		if coach.ErrorCode(err) == coach.ENOTFOUND {
			return decimal.Decimal{}, coach.Errorf(coach.ENOTFOUND, "trade %s: no %s price in %s at %s to convert the fee with",
				wire.Clip(t.ExtID), t.FeeAsset, t.Symbol.Quote(), t.TS.Format(time.RFC3339))
		}
		return decimal.Decimal{}, err
	}
	return fee.DivRound(inv, 18), nil
}

// closeAt returns the close of sym's latest one-minute candle opened at or before ts, within
// feeLookback; ENOTFOUND when there is none or sym is not a pair.
func closeAt(ctx context.Context, md broker.MarketData, sym coach.Symbol, ts time.Time) (decimal.Decimal, error) {
	if !sym.Valid() {
		return decimal.Decimal{}, coach.Errorf(coach.ENOTFOUND, "no pair %s", wire.Clip(string(sym)))
	}
	end := ts.Truncate(time.Minute).Add(time.Minute)
	cs, err := md.Candles(ctx, sym, coach.Minute1, end.Add(-feeLookback), end)
	if err != nil {
		return decimal.Decimal{}, err
	}
	for i := len(cs) - 1; i >= 0; i-- {
		if !cs[i].OpenTime.After(ts) && cs[i].Close > 0 {
			return decimal.NewFromFloat(cs[i].Close), nil
		}
	}
	return decimal.Decimal{}, coach.Errorf(coach.ENOTFOUND, "no %s candle before %s", sym, ts.Format(time.RFC3339))
}
