package brokertest_test

import (
	"fmt"

	"github.com/tradecoach/coach/broker/brokertest"
)

// The demo broker is deterministic: the same seed gives the same persona, fills and candles.
func ExampleNewDemo() {
	demo, err := brokertest.NewDemo(42, brokertest.DemoOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(demo.Name(), demo.Start().Format("2006-01-02"), "to", demo.End().Format("2006-01-02"))
	fmt.Println(len(demo.Trades()), "fills in", demo.Symbols())
	// Output:
	// demo 2026-01-05 to 2026-02-19
	// 378 fills in [BTC-USDT ETH-USDT SOL-USDT]
}
