module github.com/tradecoach/coach/bias/indicator/talibbench

go 1.27.3

replace github.com/tradecoach/coach => ../../..

require (
	github.com/markcheno/go-talib v0.0.0-20250114000313-ec55a20c902f
	github.com/tradecoach/coach v0.0.0-00010101000000-000000000000
)
