package coach_test

import (
	"fmt"

	"github.com/tradecoach/coach"
)

// Errors carry a code for programs and a message for people; callers branch on the code.
func Example() {
	sym, err := coach.ParseSymbol("btc/usdt")
	fmt.Println(sym, err)

	_, err = coach.ParseSymbol("bitcoin")
	if coach.ErrorCode(err) == coach.EINVALID {
		fmt.Println("invalid:", coach.ErrorMessage(err))
	}

	e, err := coach.NewEvent("trader-1", coach.EventDigestReady, 1, map[string]string{"digestId": "d1"})
	fmt.Println(e.Type, e.V, string(e.Payload), err, e.Validate())
	// Output:
	// BTC-USDT <nil>
	// invalid: symbol "bitcoin": cannot tell base from quote; write it as BASE-QUOTE
	// digest.ready 1 {"digestId":"d1"} <nil> <nil>
}
