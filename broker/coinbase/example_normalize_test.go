package coinbase_test

import (
	"fmt"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/coinbase"
)

// A saved List Fills page normalizes to the trades the import would store. The second fill
// reports no side, so its order's side is given.
func ExampleNormalizeFills() {
	page := []byte(`{"fills":[
	  {"entry_id":"e-1","trade_id":"t-1","order_id":"o-1","trade_time":"2024-03-01T09:30:00.250Z","trade_type":"FILL",
	   "price":"62000.00","size":"0.010","commission":"0.62","product_id":"BTC-USD","size_in_quote":false,"side":"BUY"},
	  {"entry_id":"e-2","trade_id":"t-2","order_id":"o-2","trade_time":"2024-03-02T15:00:00Z","trade_type":"FILL",
	   "price":"64000.00","size":"320.00","commission":"0.32","product_id":"BTC-USD","size_in_quote":true,"side":""}
	],"cursor":""}`)
	trades, err := coinbase.NormalizeFills(page, map[string]coach.Side{"o-2": coach.Sell})
	if err != nil {
		fmt.Println(coach.ErrorCode(err), coach.ErrorMessage(err))
		return
	}
	for _, t := range trades {
		fmt.Println(t.ExtID, t.Side, t.Qty, t.Symbol, "@", t.Price, "fee", t.Fee.Decimal, t.FeeAsset, t.TS.Format("2006-01-02T15:04:05.000Z"))
	}
	// Output:
	// e-1 BUY 0.01 BTC-USD @ 62000 fee 0.62 USD 2024-03-01T09:30:00.250Z
	// e-2 SELL 0.005 BTC-USD @ 64000 fee 0.32 USD 2024-03-02T15:00:00.000Z
}
