package indicator_test

import (
	"fmt"

	"github.com/tradecoach/coach/bias/indicator"
)

func ExampleSMA() {
	closes := []float64{10, 11, 12, 13, 14}
	fmt.Println(indicator.SMA(closes, 3))
	// Output: [NaN NaN 11 12 13]
}

func ExampleNewRSI() {
	rsi, err := indicator.NewRSI(3)
	if err != nil {
		panic(err)
	}
	fmt.Println("first value after", rsi.Lookback(), "inputs")
	for _, c := range []float64{10, 11, 10.5, 11.5, 11.5, 12} {
		if v, ok := rsi.Update(c); ok {
			fmt.Printf("%.2f\n", v)
		}
	}
	// Output:
	// first value after 3 inputs
	// 80.00
	// 80.00
	// 86.21
}

func ExampleNewAbnormalVolume() {
	av, _ := indicator.NewAbnormalVolume(3)
	for _, v := range []float64{100, 120, 80, 400} {
		if x, ok := av.Update(v); ok {
			fmt.Printf("volume %v is %.1f× the mean of the 3 bars before it\n", v, x)
		}
	}
	// Output: volume 400 is 4.0× the mean of the 3 bars before it
}

func ExampleMACD() {
	// On a steady uptrend of 1 a bar, an EMA(n) seeded with an SMA lags the price by (n-1)/2,
	// so MACD(12, 26, 9) is (26-12)/2 = 7 from its first value on.
	closes := make([]float64, 40)
	for i := range closes {
		closes[i] = 100 + float64(i)
	}
	macd, signal, _ := indicator.MACD(closes, 12, 26, 9)
	fmt.Printf("bar 32: %.4f %.4f\n", macd[32], signal[32])
	fmt.Printf("bar 33: %.4f %.4f\n", macd[33], signal[33])
	// Output:
	// bar 32: NaN NaN
	// bar 33: 7.0000 7.0000
}
