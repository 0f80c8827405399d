package binance

import (
	"context"
	"slices"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// DefaultQuoteAssets are the quote assets discovery pairs the account's assets with when
// Config.QuoteAssets is empty.
var DefaultQuoteAssets = []string{"USDT", "USDC", "FDUSD", "BTC", "ETH", "BNB", "EUR"}

// Request weights of the discovery calls.
const (
	accountWeight      = 20
	exchangeInfoWeight = 20
)

// statusBreak is the exchangeInfo status of a pair that does not trade, which is how Binance
// shows a delisted pair.
const statusBreak = "BREAK"

// account is the part of GET /api/v3/account that discovery reads.
type account struct {
	Balances *[]balance `json:"balances"`
}

// balance is one entry of an account's balances; amounts are decimal strings.
type balance struct {
	Asset  string `json:"asset"`
	Free   string `json:"free"`
	Locked string `json:"locked"`
}

// exchangeInfo is the part of GET /api/v3/exchangeInfo that discovery reads.
type exchangeInfo struct {
	Symbols *[]symbolInfo `json:"symbols"`
}

// symbolInfo is one listed pair: its Binance name, status and assets.
type symbolInfo struct {
	Symbol     string `json:"symbol"`
	Status     string `json:"status"`
	BaseAsset  string `json:"baseAsset"`
	QuoteAsset string `json:"quoteAsset"`
}

// decodeAccount returns the assets of an account body whose free + locked is above zero, sorted
// and without repeats. EUNAVAILABLE when the body is not an account or an amount is not a
// decimal.
func decodeAccount(body []byte) ([]string, error) {
	var a account
	if err := unmarshal(body, &a); err != nil || a.Balances == nil {
		return nil, malformed("account")
	}
	held := []string{}
	for _, b := range *a.Balances {
		free, ok1 := wire.Amount(b.Free)
		locked, ok2 := wire.Amount(b.Locked)
		if !ok1 || !ok2 {
			return nil, malformed("account balance")
		}
		if free.Add(locked).Sign() > 0 && b.Asset != "" {
			held = append(held, b.Asset)
		}
	}
	slices.Sort(held)
	return slices.Compact(held), nil
}

// decodeExchangeInfo returns the status of each listed pair by canonical symbol. A pair whose
// assets do not form a valid symbol, or whose name is not base then quote, is left out (the
// client could not import it). EUNAVAILABLE when the body is not an exchangeInfo.
func decodeExchangeInfo(body []byte) (map[coach.Symbol]string, error) {
	var ei exchangeInfo
	if err := unmarshal(body, &ei); err != nil || ei.Symbols == nil {
		return nil, malformed("exchange info")
	}
	listed := make(map[coach.Symbol]string, len(*ei.Symbols))
	for _, s := range *ei.Symbols {
		sym := coach.Symbol(s.BaseAsset + "-" + s.QuoteAsset)
		if !sym.Valid() || sym.Concat() != s.Symbol || s.Status == "" {
			continue
		}
		listed[sym] = s.Status
	}
	return listed, nil
}

// discovered returns, sorted, the listed pairs that do not have status BREAK, whose base asset is
// held and whose quote asset is one of quotes.
func discovered(held []string, listed map[coach.Symbol]string, quotes []string) []coach.Symbol {
	out := []coach.Symbol{}
	for sym, status := range listed {
		if status != statusBreak && slices.Contains(quotes, sym.Quote()) {
			if _, ok := slices.BinarySearch(held, sym.Base()); ok {
				out = append(out, sym)
			}
		}
	}
	slices.Sort(out)
	return out
}

// DiscoverSymbols returns, sorted, the pairs Fills imports when it is given no symbols: each pair
// Binance lists (and has not delisted: status BREAK) whose base asset the account holds (free +
// locked above zero, GET /api/v3/account, signed, weight 20) and whose quote asset is one of
// Config.QuoteAssets (GET /api/v3/exchangeInfo, weight 20).
//
// It cannot see a pair whose base asset was sold down to zero: Binance has no endpoint that lists
// the pairs an account traded. Config.Symbols (or FillsRequest.Symbols) is the complete way; a
// caller can import both with Config.Discover, or pass the union itself. EINVALID without an API
// key; EUNAUTHORIZED when Binance rejects it.
func (c *Client) DiscoverSymbols(ctx context.Context) ([]coach.Symbol, error) {
	if !c.constructed() {
		return nil, errNotConstructed
	}
	held, listed, err := c.discovery(ctx)
	if err != nil {
		return nil, err
	}
	return discovered(held, listed, c.cfg.QuoteAssets), nil
}

// discovery reads the account's held assets, then the listed pairs.
func (c *Client) discovery(ctx context.Context) (held []string, listed map[coach.Symbol]string, err error) {
	err = c.do(ctx, request{path: "/api/v3/account", signed: true, weight: accountWeight,
		decode: func(b []byte) (err error) { held, err = decodeAccount(b); return err }})
	if err != nil {
		return nil, nil, err
	}
	err = c.do(ctx, request{path: "/api/v3/exchangeInfo", weight: exchangeInfoWeight,
		decode: func(b []byte) (err error) { listed, err = decodeExchangeInfo(b); return err }})
	if err != nil {
		return nil, nil, err
	}
	return held, listed, nil
}

// importSymbols chooses the pairs of a Fills request that names none: Config.Symbols as given,
// or, when there are none or Config.Discover is set, the sorted union of the discovered pairs,
// Config.Symbols and the pairs with a checkpoint in cps that Binance still lists (whatever their
// status: a pair imported once keeps being imported after its asset is sold or it is delisted).
func (c *Client) importSymbols(ctx context.Context, cps map[string]string) ([]coach.Symbol, error) {
	if len(c.cfg.Symbols) > 0 && !c.cfg.Discover {
		return c.cfg.Symbols, nil
	}
	held, listed, err := c.discovery(ctx)
	if err != nil {
		return nil, err
	}
	out := append(discovered(held, listed, c.cfg.QuoteAssets), c.cfg.Symbols...)
	for scope := range cps {
		if _, ok := listed[coach.Symbol(scope)]; ok {
			out = append(out, coach.Symbol(scope))
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil, coach.Errorf(coach.EINVALID,
			"binance fills: no symbols: the account holds no asset listed against %v; name the pairs to import (Config.Symbols)", c.cfg.QuoteAssets)
	}
	return out, nil
}
