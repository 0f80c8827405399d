package ledger

import (
	"time"

	"github.com/tradecoach/coach"
)

// fillFee is a fill's fee as the ledger uses it.
type fillFee struct {
	quote   amount // the fee in the quote asset
	base    amount // the fee in base units, when it was charged in the base asset
	inBase  bool
	unknown bool // the fee is null, or could not be converted and is left out
}

// fee converts t's fee to the quote asset of b. It returns an error for a fee the ledger cannot
// use, with skip true when the fill must be left out entirely (the fee itself is invalid) and
// false when only the fee is left out (no price converts it).
func (a *applier) fee(t *coach.Trade, b *book, qty, price amount) (f fillFee, skip bool, err error) {
	if !t.Fee.Valid {
		f.unknown = true
		return f, false, nil
	}
	ref := clip(t.Ref(), 64)
	fee, ok := checkedAmount(t.Fee.Decimal)
	switch {
	case !ok || fee.sign() < 0:
		return f, true, coach.Errorf(coach.EINVALID, "trade %s: fee: must be zero or a positive amount, got %s", ref, amountText(t.Fee.Decimal))
	case fee.isZero():
		return f, false, nil
	}
	switch t.FeeAsset {
	case b.quote:
		f.quote = fee
	case b.base:
		if t.Side == coach.Buy && fee.cmp(qty) >= 0 {
			return f, true, coach.Errorf(coach.EINVALID, "trade %s: fee: %s %s takes all of the bought quantity", ref, t.Fee.Decimal, t.FeeAsset)
		}
		f.base, f.inBase = fee, true
		f.quote = fee.mul(price)
	case "":
		return f, true, coach.Errorf(coach.EINVALID, "trade %s: feeAsset: required with a non-zero fee", ref)
	default:
		p, ok := a.lookup(t.FeeAsset, b.quote, t.TS)
		if !ok {
			f.unknown = true
			return f, false, coach.Errorf(coach.EINVALID, "trade %s: fee: no price of %s in %s at %s to convert %s %s; the fee is left out",
				ref, clip(t.FeeAsset, 20), b.quote, t.TS.UTC().Format(time.RFC3339), t.Fee.Decimal, clip(t.FeeAsset, 20))
		}
		f.quote = fee.mul(p)
	}
	return f, false, nil
}

// lookup asks the ledger's FeePrices for the price of asset in quote, accepting only a positive
// amount in range.
func (a *applier) lookup(asset, quote string, at time.Time) (amount, bool) {
	if a.l.FeePrices == nil {
		return amount{}, false
	}
	p, ok := a.l.FeePrices(asset, quote, at)
	if !ok || !validAmount(p) || p.Sign() <= 0 {
		return amount{}, false
	}
	return amountOf(p), true
}
