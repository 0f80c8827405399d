package sim

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// lotMatch is the base quantity one actual sell took from the lot of one actual buy.
type lotMatch struct {
	sell, buy int32
	qty       decimal.Decimal
}

// matchLots replays the actual fills with the ledger's FIFO lot matching and returns what each
// sell took from each lot of a buy in want (every buy when want is nil), sells in fill order and
// each sell's lots oldest first. A buy's lot holds the quantity it moved in (fill.out); a sell
// takes what it moved out, as far as the lots go (the rest is uncovered and matches nothing).
//
// Quantities are matched as int64 multiples of each symbol's smallest unit when they all fit
// (every ordinary history), exactly as decimals otherwise.
func (r *run) matchLots(want []bool) []lotMatch {
	if units, exp, ok := r.units(); ok {
		return r.matchUnits(want, units, exp)
	}
	return r.matchDecimal(want)
}

// units returns every fill's out quantity as an int64 multiple of 10^exp[symbol], when every
// quantity and each symbol's total bought fit.
func (r *run) units() ([]int64, []int32, bool) {
	exp := make([]int32, len(r.syms))
	for i := range exp {
		exp[i] = math.MaxInt32
	}
	for k := range r.fills {
		f := &r.fills[k]
		if f.out.NumDigits() > 18 {
			return nil, nil, false
		}
		exp[f.sym] = min(exp[f.sym], f.out.Exponent())
	}
	units := make([]int64, len(r.fills))
	bought := make([]uint64, len(r.syms))
	for k := range r.fills {
		f := &r.fills[k]
		m := f.out.CoefficientInt64()
		shift := f.out.Exponent() - exp[f.sym]
		if m <= 0 || shift > 18 {
			return nil, nil, false
		}
		hi, lo := bits.Mul64(uint64(m), pow10[shift])
		if hi != 0 || lo > math.MaxInt64/2 {
			return nil, nil, false
		}
		units[k] = int64(lo)
		if f.buy {
			if bought[f.sym] += lo; bought[f.sym] > math.MaxInt64/2 {
				return nil, nil, false
			}
		}
	}
	return units, exp, true
}

// pow10 holds 10^0 … 10^18.
var pow10 = [19]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

func (r *run) matchUnits(want []bool, units []int64, exp []int32) []lotMatch {
	type open struct {
		buy  int32
		left int64
	}
	queues := make([][]open, len(r.syms))
	heads := make([]int, len(r.syms))
	var out []lotMatch
	for k := range r.fills {
		f := &r.fills[k]
		if f.buy {
			queues[f.sym] = append(queues[f.sym], open{buy: int32(k), left: units[k]})
			continue
		}
		q, h := queues[f.sym], heads[f.sym]
		need := units[k]
		for need > 0 && h < len(q) {
			lt := &q[h]
			take := min(lt.left, need)
			if want == nil || want[lt.buy] {
				qty := r.fills[lt.buy].out
				if take != units[lt.buy] {
					qty = decimal.New(take, exp[f.sym])
				}
				out = append(out, lotMatch{sell: int32(k), buy: lt.buy, qty: qty})
			}
			lt.left -= take
			need -= take
			if lt.left == 0 {
				h++
			}
		}
		heads[f.sym] = h
	}
	return out
}

func (r *run) matchDecimal(want []bool) []lotMatch {
	type open struct {
		buy  int32
		left decimal.Decimal
	}
	queues := make([][]open, len(r.syms))
	heads := make([]int, len(r.syms))
	var out []lotMatch
	for k := range r.fills {
		f := &r.fills[k]
		if f.buy {
			queues[f.sym] = append(queues[f.sym], open{buy: int32(k), left: f.out})
			continue
		}
		q, h := queues[f.sym], heads[f.sym]
		need := f.out
		for need.Sign() > 0 && h < len(q) {
			lt := &q[h]
			take := need
			if lt.left.Cmp(need) <= 0 {
				take = lt.left
				h++
			}
			if want == nil || want[lt.buy] {
				out = append(out, lotMatch{sell: int32(k), buy: lt.buy, qty: take})
			}
			lt.left = lt.left.Sub(take)
			need = need.Sub(take)
		}
		heads[f.sym] = h
	}
	return out
}

// byBuy groups matches by buy: the matches of buy k are ms[idx[start[k]:start[k+1]]], in sell
// order.
func byBuy(ms []lotMatch, n int) (start []int32, idx []int32) {
	start = make([]int32, n+1)
	for _, m := range ms {
		start[m.buy+1]++
	}
	for k := 1; k <= n; k++ {
		start[k] += start[k-1]
	}
	idx = make([]int32, len(ms))
	next := make([]int32, n)
	copy(next, start[:n])
	for i, m := range ms {
		idx[next[m.buy]] = int32(i)
		next[m.buy]++
	}
	return start, idx
}
