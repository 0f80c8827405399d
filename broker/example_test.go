package broker_test

import (
	"fmt"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

// ParseCSV reads a file of fills; a bad row is named by its line, and nothing is imported.
func ExampleParseCSV() {
	file := `ts,symbol,side,qty,price,fee,feeAsset,extId
2024-03-09T12:13:00Z,ETH-USDT,BUY,0.5,3165.34,1.5827,USDT,f01
2024-03-10T08:41:00Z,ETH-USDT,SELL,0.5,3149.58,1.5748,USDT,f02
`
	res, err := broker.ParseCSV(strings.NewReader(file), broker.CSVOptions{})
	fmt.Println(res.Format, res.Rows, err)
	for _, t := range res.Trades {
		fmt.Println(t.ExtID, t.TS.Format("2006-01-02"), t.Symbol, t.Side, t.Qty, t.Price, t.Fee.Decimal, t.FeeAsset)
	}

	_, err = broker.ParseCSV(strings.NewReader(strings.Replace(file, "0.5,3149.58", "-1,3149.58", 1)), broker.CSVOptions{})
	fmt.Println(coach.ErrorCode(err), coach.ErrorMessage(err))
	// Output:
	// generic 2 <nil>
	// f01 2024-03-09 ETH-USDT BUY 0.5 3165.34 1.5827 USDT
	// f02 2024-03-10 ETH-USDT SELL 0.5 3149.58 1.5748 USDT
	// invalid csv: 1 of 2 rows are invalid (first: line 3: trade f02: qty: must be a positive amount, got -1); nothing was imported
}
