package binance_test

import (
	"fmt"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
)

// A saved myTrades page of BTC-USDT normalizes to the trades the import would store; the fee is
// kept in the asset Binance charged it in (FeeInQuote converts it).
func ExampleNormalizeTrades() {
	page := []byte(`[
	  {"symbol":"BTCUSDT","id":3180001,"orderId":27000001,"orderListId":-1,"price":"61950.01000000","qty":"0.01600000",
	   "quoteQty":"991.20016000","commission":"0.00001600","commissionAsset":"BTC","time":1709285400250,"isBuyer":true,"isMaker":false,"isBestMatch":true},
	  {"symbol":"BTCUSDT","id":3180977,"orderId":27000450,"orderListId":-1,"price":"64010.00000000","qty":"0.01598400",
	   "quoteQty":"1023.13584000","commission":"0.00170000","commissionAsset":"BNB","time":1709391600000,"isBuyer":false,"isMaker":true,"isBestMatch":true}
	]`)
	trades, err := binance.NormalizeTrades(page, "BTC-USDT")
	if err != nil {
		fmt.Println(coach.ErrorCode(err), coach.ErrorMessage(err))
		return
	}
	for _, t := range trades {
		fmt.Println(t.ExtID, t.Side, t.Qty, t.Symbol, "@", t.Price, "fee", t.Fee.Decimal, t.FeeAsset, t.TS.Format("2006-01-02T15:04:05.000Z"))
	}
	// Output:
	// BTCUSDT:3180001:B BUY 0.016 BTC-USDT @ 61950.01 fee 0.000016 BTC 2024-03-01T09:30:00.250Z
	// BTCUSDT:3180977:S SELL 0.015984 BTC-USDT @ 64010 fee 0.0017 BNB 2024-03-02T15:00:00.000Z
}
