package broker

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// csvLayout reads the rows of one format, with the column positions of one file's header.
type csvLayout interface {
	// parse returns the row's trade (Broker and a derived ExtID left for the caller), or ignore for
	// a valid row that is not a trade.
	parse(rec []string) (t coach.Trade, ignore bool, err *fieldError)
	// column names column i as the header wrote it.
	column(i int) string
	// idColumn names the column of the trade id ("" if the format has none).
	idColumn() string
	// exchangeIDColumn names the column of the exchange's trade id ("" if the format has none).
	exchangeIDColumn() string
	// broker is the default Trade.Broker of the format.
	broker() string
}

type csvFormatDef struct {
	name CSVFormat
	// build returns the layout for a header of this format, or nil if the header is not one.
	build func(h header) csvLayout
}

// csvFormats in detection order: the most specific headers first.
var csvFormats = []csvFormatDef{
	{CSVGeneric, buildGeneric},
	{CSVCoinbaseFills, buildCoinbaseFills},
	{CSVCoinbaseTransactions, buildCoinbaseTransactions},
	{CSVBinanceTrades, buildBinanceTrades},
	{CSVBinanceLegacy, buildBinanceLegacy},
}

const headerHelp = "ts,symbol,side,qty,price[,fee,feeAsset,extId,orderId,exchangeTradeId,liquidity] (generic); a Coinbase fills statement; a Coinbase transaction history; a Binance trade history"

func formatByName(f CSVFormat) *csvFormatDef {
	for i := range csvFormats {
		if csvFormats[i].name == f {
			return &csvFormats[i]
		}
	}
	return nil
}

// detect returns the layout of the header rec in format want (any format for CSVAuto), or nil.
func detect(rec []string, want CSVFormat) (csvLayout, CSVFormat) {
	h := newHeader(rec)
	for _, f := range csvFormats {
		if want != CSVAuto && f.name != want {
			continue
		}
		if l := f.build(h); l != nil {
			return l, f.name
		}
	}
	return nil, ""
}

// Time layouts.
const (
	rfc3339      = time.RFC3339Nano
	spaceUTC     = "2006-01-02 15:04:05 MST"
	spaceNoZone  = "2006-01-02 15:04:05"
	spaceNoZoneF = "2006-01-02 15:04:05.999999999"
)

// ---- generic: ts,symbol,side,qty,price,fee,feeAsset,extId,orderId,exchangeTradeId,liquidity ----

type genericLayout struct {
	h                                                  header
	ts, symbol, side, qty, price, fee, feeAsset, extID int
	orderID, exchangeTradeID, liquidity                int
	syms                                               symbolCache
}

func buildGeneric(h header) csvLayout {
	if !h.has("ts", "symbol", "side", "qty", "price") {
		return nil
	}
	return &genericLayout{
		h: h, ts: h.col("ts"), symbol: h.col("symbol"), side: h.col("side"), qty: h.col("qty"),
		price: h.col("price"), fee: h.col("fee"), feeAsset: h.col("feeasset"), extID: h.col("extid"),
		orderID: h.col("orderid"), exchangeTradeID: h.col("exchangetradeid"), liquidity: h.col("liquidity"),
		syms: symbolCache{},
	}
}

func (l *genericLayout) column(i int) string      { return l.h.column(i) }
func (l *genericLayout) idColumn() string         { return l.h.column(l.extID) }
func (l *genericLayout) exchangeIDColumn() string { return l.h.column(l.exchangeTradeID) }
func (l *genericLayout) broker() string           { return coach.BrokerCSV }

func (l *genericLayout) parse(rec []string) (coach.Trade, bool, *fieldError) {
	var t coach.Trade
	var msg string
	if t.TS, msg = parseTime(field(rec, l.ts), "an RFC 3339 time such as 2026-01-05T14:03:00Z", rfc3339); msg != "" {
		return t, false, ferr(l.h.column(l.ts), msg)
	}
	sym, err := l.syms.parse(field(rec, l.symbol))
	if err != nil {
		return t, false, ferr(l.h.column(l.symbol), coach.ErrorMessage(err))
	}
	t.Symbol = sym
	if t.Side, msg = parseSide(field(rec, l.side)); msg != "" {
		return t, false, ferr(l.h.column(l.side), msg)
	}
	if t.Qty, msg = parseAmount(field(rec, l.qty)); msg != "" {
		return t, false, ferr(l.h.column(l.qty), msg)
	}
	if t.Price, msg = parseAmount(field(rec, l.price)); msg != "" {
		return t, false, ferr(l.h.column(l.price), msg)
	}
	if f := field(rec, l.fee); f != "" {
		d, msg := parseAmount(f)
		if msg != "" {
			return t, false, ferr(l.h.column(l.fee), msg)
		}
		t.Fee = decimal.NewNullDecimal(d)
	}
	t.FeeAsset = strings.ToUpper(field(rec, l.feeAsset))
	t.ExtID = field(rec, l.extID)
	t.OrderID, t.ExchangeTradeID = field(rec, l.orderID), field(rec, l.exchangeTradeID)
	var ok bool
	if t.Liquidity, ok = coach.ParseLiquidity(field(rec, l.liquidity)); !ok {
		return t, false, ferr(l.h.column(l.liquidity), "want MAKER, TAKER or empty, got "+quote(field(rec, l.liquidity)))
	}
	return t, false, nil
}

// ---- Coinbase fills statement ----

type coinbaseFillsLayout struct {
	h                                                 header
	tradeID, product, side, createdAt, size, sizeUnit int
	price, fee, unit                                  int
	syms                                              symbolCache
}

func buildCoinbaseFills(h header) csvLayout {
	if !h.has("trade id", "product", "side", "created at", "size", "size unit", "price", "fee", "price/fee/total unit") {
		return nil
	}
	return &coinbaseFillsLayout{
		h: h, tradeID: h.col("trade id"), product: h.col("product"), side: h.col("side"),
		createdAt: h.col("created at"), size: h.col("size"), sizeUnit: h.col("size unit"),
		price: h.col("price"), fee: h.col("fee"), unit: h.col("price/fee/total unit"), syms: symbolCache{},
	}
}

func (l *coinbaseFillsLayout) column(i int) string      { return l.h.column(i) }
func (l *coinbaseFillsLayout) idColumn() string         { return l.h.column(l.tradeID) }
func (l *coinbaseFillsLayout) exchangeIDColumn() string { return l.h.column(l.tradeID) }
func (l *coinbaseFillsLayout) broker() string           { return coach.BrokerCoinbase }

func (l *coinbaseFillsLayout) parse(rec []string) (coach.Trade, bool, *fieldError) {
	var t coach.Trade
	var msg string
	sym, err := l.syms.parse(field(rec, l.product))
	if err != nil {
		return t, false, ferr(l.h.column(l.product), coach.ErrorMessage(err))
	}
	t.Symbol = sym
	if t.Side, msg = parseSide(field(rec, l.side)); msg != "" {
		return t, false, ferr(l.h.column(l.side), msg)
	}
	if t.TS, msg = parseTime(field(rec, l.createdAt), "an RFC 3339 time", rfc3339); msg != "" {
		return t, false, ferr(l.h.column(l.createdAt), msg)
	}
	if t.Price, msg = parseAmount(field(rec, l.price)); msg != "" {
		return t, false, ferr(l.h.column(l.price), msg)
	}
	unit := strings.ToUpper(field(rec, l.unit))
	if unit != "" && unit != sym.Quote() {
		return t, false, ferr(l.h.column(l.unit), "want the quote asset "+sym.Quote()+" of "+string(sym)+", got "+quote(unit))
	}
	size, msg := parseAmount(field(rec, l.size))
	if msg != "" {
		return t, false, ferr(l.h.column(l.size), msg)
	}
	switch su := strings.ToUpper(field(rec, l.sizeUnit)); su {
	case sym.Base(), "":
		t.Qty = size
	case sym.Quote():
		// The size is in the quote asset: the base quantity is size / price.
		if t.Price.Sign() <= 0 {
			return t, false, ferr(l.h.column(l.price), "must be positive")
		}
		t.Qty = size.DivRound(t.Price, 12)
	default:
		return t, false, ferr(l.h.column(l.sizeUnit), "want "+sym.Base()+" or "+sym.Quote()+", got "+quote(su))
	}
	if f := field(rec, l.fee); f != "" {
		d, msg := parseAmount(f)
		if msg != "" {
			return t, false, ferr(l.h.column(l.fee), msg)
		}
		t.Fee = decimal.NewNullDecimal(d.Abs())
		t.FeeAsset = sym.Quote()
	}
	// The trade id is Coinbase's (the API's trade_id): the exchange trade id as written. As the
	// ExtID, Coinbase Pro's numeric ids (numbered per product) are unique only with the product.
	if id := field(rec, l.tradeID); id != "" {
		t.ExchangeTradeID = id
		if isDigits(id) {
			id = string(sym) + ":" + id
		}
		t.ExtID = id
	}
	return t, false, nil
}

// ---- Coinbase transaction history report ----

type coinbaseTxLayout struct {
	h                       header
	id, ts, typ, asset, qty int
	priceCur, price, fee    int
	headerCur               string
	syms                    symbolCache
}

func buildCoinbaseTransactions(h header) csvLayout {
	if !h.has("timestamp", "transaction type", "asset", "quantity transacted") {
		return nil
	}
	l := &coinbaseTxLayout{
		h: h, id: h.col("id"), ts: h.col("timestamp"), typ: h.col("transaction type"), asset: h.col("asset"),
		qty: h.col("quantity transacted"), priceCur: h.col("spot price currency", "price currency"),
		price: h.col("price at transaction", "spot price at transaction"), fee: h.col("fees and/or spread", "fees"),
		syms: symbolCache{},
	}
	// Older reports name the currency in the headers: "USD Spot Price at Transaction", "USD Fees".
	for k, i := range h.index {
		cur, rest, ok := strings.Cut(k, " ")
		if !ok || len(cur) < 3 || len(cur) > 5 {
			continue
		}
		switch rest {
		case "spot price at transaction", "price at transaction":
			if l.price < 0 {
				l.price, l.headerCur = i, strings.ToUpper(cur)
			}
		case "fees and/or spread", "fees":
			if l.fee < 0 {
				l.fee = i
			}
		}
	}
	if l.price < 0 {
		return nil
	}
	return l
}

func (l *coinbaseTxLayout) column(i int) string { return l.h.column(i) }
func (l *coinbaseTxLayout) idColumn() string    { return l.h.column(l.id) }

// exchangeIDColumn is "": the report's ID names the app's transaction, not a fill of the
// exchange (the API's trade_id), so it cannot recognise a fill the API imported.
func (l *coinbaseTxLayout) exchangeIDColumn() string { return "" }
func (l *coinbaseTxLayout) broker() string           { return coach.BrokerCoinbase }

func (l *coinbaseTxLayout) parse(rec []string) (coach.Trade, bool, *fieldError) {
	var t coach.Trade
	var msg string
	switch typ := strings.ToLower(field(rec, l.typ)); typ {
	case "buy", "advanced trade buy":
		t.Side = coach.Buy
	case "sell", "advanced trade sell":
		t.Side = coach.Sell
	case "":
		return t, false, ferr(l.h.column(l.typ), "required")
	default:
		return t, true, nil // a send, receive, reward, conversion: not a fill
	}
	if t.TS, msg = parseTime(field(rec, l.ts), "a time such as 2026-01-05 14:03:00 UTC", spaceUTC, rfc3339, spaceNoZone); msg != "" {
		return t, false, ferr(l.h.column(l.ts), msg)
	}
	cur := strings.ToUpper(field(rec, l.priceCur))
	if cur == "" {
		cur = l.headerCur
	}
	if cur == "" {
		return t, false, ferr(l.h.column(l.priceCur), "required")
	}
	sym, err := l.syms.parse(field(rec, l.asset) + "-" + cur)
	if err != nil {
		return t, false, ferr(l.h.column(l.asset), coach.ErrorMessage(err))
	}
	t.Symbol = sym
	if t.Qty, msg = parseMoney(field(rec, l.qty)); msg != "" {
		return t, false, ferr(l.h.column(l.qty), msg)
	}
	if t.Price, msg = parseMoney(field(rec, l.price)); msg != "" {
		return t, false, ferr(l.h.column(l.price), msg)
	}
	if f := field(rec, l.fee); f != "" {
		d, msg := parseMoney(f)
		if msg != "" {
			return t, false, ferr(l.h.column(l.fee), msg)
		}
		t.Fee = decimal.NewNullDecimal(d)
		t.FeeAsset = cur
	}
	t.ExtID = field(rec, l.id)
	return t, false, nil
}

// ---- Binance trade history ----

type binanceLayout struct {
	h      header
	legacy bool
	// date, pair, side, price, qty are in both; fee is "Fee" (with its asset appended in the
	// current export); feeCoin only in the legacy one.
	date, pair, side, price, qty, fee, feeCoin int
	syms                                       symbolCache
}

func buildBinanceTrades(h header) csvLayout {
	if !h.has("date(utc)", "pair", "side", "price", "executed", "fee") {
		return nil
	}
	return &binanceLayout{
		h: h, date: h.col("date(utc)"), pair: h.col("pair"), side: h.col("side"), price: h.col("price"),
		qty: h.col("executed"), fee: h.col("fee"), feeCoin: -1, syms: symbolCache{},
	}
}

func buildBinanceLegacy(h header) csvLayout {
	if !h.has("date(utc)", "market", "type", "price", "amount", "fee", "fee coin") {
		return nil
	}
	return &binanceLayout{
		h: h, legacy: true, date: h.col("date(utc)"), pair: h.col("market"), side: h.col("type"),
		price: h.col("price"), qty: h.col("amount"), fee: h.col("fee"), feeCoin: h.col("fee coin"),
		syms: symbolCache{},
	}
}

func (l *binanceLayout) column(i int) string      { return l.h.column(i) }
func (l *binanceLayout) idColumn() string         { return "" }
func (l *binanceLayout) exchangeIDColumn() string { return "" }
func (l *binanceLayout) broker() string           { return coach.BrokerBinance }

func (l *binanceLayout) parse(rec []string) (coach.Trade, bool, *fieldError) {
	var t coach.Trade
	var msg string
	if t.TS, msg = parseTime(field(rec, l.date), "a UTC time such as 2026-01-05 14:03:00", spaceNoZone, spaceNoZoneF); msg != "" {
		return t, false, ferr(l.h.column(l.date), msg)
	}
	sym, err := l.syms.parse(field(rec, l.pair))
	if err != nil {
		return t, false, ferr(l.h.column(l.pair), coach.ErrorMessage(err))
	}
	t.Symbol = sym
	if t.Side, msg = parseSide(field(rec, l.side)); msg != "" {
		return t, false, ferr(l.h.column(l.side), msg)
	}
	if t.Price, msg = parseAmount(strings.ReplaceAll(field(rec, l.price), ",", "")); msg != "" {
		return t, false, ferr(l.h.column(l.price), msg)
	}
	if l.legacy {
		if t.Qty, msg = parseAmount(strings.ReplaceAll(field(rec, l.qty), ",", "")); msg != "" {
			return t, false, ferr(l.h.column(l.qty), msg)
		}
		if f := field(rec, l.fee); f != "" {
			d, msg := parseAmount(strings.ReplaceAll(f, ",", ""))
			if msg != "" {
				return t, false, ferr(l.h.column(l.fee), msg)
			}
			t.Fee = decimal.NewNullDecimal(d)
			t.FeeAsset = strings.ToUpper(field(rec, l.feeCoin))
		}
		return t, false, nil
	}
	qty, asset, msg := splitAsset(field(rec, l.qty), sym.Base())
	if msg != "" {
		return t, false, ferr(l.h.column(l.qty), msg)
	}
	if asset != sym.Base() {
		return t, false, ferr(l.h.column(l.qty), "want an amount of "+sym.Base()+", got "+quote(asset))
	}
	t.Qty = qty
	if f := field(rec, l.fee); f != "" {
		d, asset, msg := splitAsset(f, sym.Base(), sym.Quote(), "BNB")
		if msg != "" {
			return t, false, ferr(l.h.column(l.fee), msg)
		}
		t.Fee, t.FeeAsset = decimal.NewNullDecimal(d), asset
	}
	return t, false, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
