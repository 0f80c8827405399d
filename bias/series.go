package bias

import (
	"math"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/indicator"
)

// CandleSeries holds candles by symbol, of one interval (Config.Interval). They need not be
// clean: Prepare sorts them, drops invalid and repeated bars and reports what it dropped.
type CandleSeries = coach.CandleSeries

// SeriesOf groups candles by their Symbol (coach.SeriesOf).
func SeriesOf(candles []coach.Candle) CandleSeries { return coach.SeriesOf(candles) }

// DataReport counts what Prepare did with the candles it was given.
type DataReport struct {
	// Candles is the number of bars kept.
	Candles int `json:"candles"`
	// Invalid bars were dropped: a price or volume not finite, a price not > 0, low above open,
	// close or high, a negative volume, an OpenTime not aligned to the interval, or a Symbol
	// other than the series' own.
	Invalid int `json:"invalid"`
	// OtherInterval bars had an interval other than Config.Interval and were dropped.
	OtherInterval int `json:"otherInterval"`
	// Duplicates were identical repeats of a bar; one copy is kept.
	Duplicates int `json:"duplicates"`
	// Conflicting bars were given more than once with different values; every copy is dropped,
	// so the bar is a gap.
	Conflicting int `json:"conflicting"`
	// Gaps counts the places where bars are missing between two kept ones. Indicators restart
	// their warm-up after each gap.
	Gaps int `json:"gaps"`
}

// Market is a CandleSeries with its indicators computed once, ready to score any number of trade
// lists. It is immutable, so one Market may score from several goroutines.
type Market struct {
	cfg    Config
	loc    *time.Location
	step   int64 // the interval in nanoseconds
	frames map[coach.Symbol]*frame
	data   DataReport
	// needs are the contiguous bars each per-trade label needs before a fill.
	needFOMO, needPanic int
	// consts are the JSON fragments every tag of a label repeats.
	consts labelConsts
}

// frame is one symbol's bars, with their OpenTimes apart for a cache-friendly search.
type frame struct {
	open []int64 // OpenTime in Unix nanoseconds, increasing
	bars []bar
}

// bar is one candle and the indicators computed from the candles up to and including it. NaN
// marks an undefined value. One struct per bar keeps a trade's evidence in two cache lines.
type bar struct {
	open              int64 // OpenTime in Unix nanoseconds
	close, high, low  float64
	run               int32 // contiguous bars ending here, this one included
	ret, av           float64
	upper, mid, lower float64
	rsi               float64
	hi, lo            float64
	volShort, volLong float64
}

// Prepare validates cfg, cleans the candles and computes every indicator the labels read, once
// per symbol. It fails only for an invalid Config; bad candles are dropped and counted in
// Data().
func Prepare(candles CandleSeries, cfg Config) (*Market, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(cfg.TimeZone)
	m := &Market{
		cfg:    cfg,
		loc:    loc,
		step:   int64(cfg.Interval.Duration()),
		frames: make(map[coach.Symbol]*frame, len(candles)),
		needFOMO: max(cfg.bars(cfg.RangeWindow), cfg.bars(cfg.ReturnWindow)+1, cfg.volumeNeed(),
			cfg.bars(cfg.BandWindow), cfg.bars(cfg.RSIWindow)+1),
		needPanic: max(cfg.bars(cfg.RangeWindow), cfg.volumeNeed(), cfg.bars(cfg.BandWindow),
			cfg.bars(cfg.RSIWindow)+1, cfg.bars(cfg.VolShortWindow)+1, cfg.bars(cfg.VolLongWindow)+1),
	}
	m.consts = newLabelConsts(cfg)
	syms := make([]coach.Symbol, 0, len(candles))
	for s := range candles {
		syms = append(syms, s)
	}
	slices.Sort(syms) // map order must not reach anything observable
	for _, s := range syms {
		bars := m.clean(s, candles[s])
		if len(bars) == 0 {
			continue
		}
		m.frames[s] = m.compute(bars)
	}
	return m, nil
}

// Config returns the configuration the Market was prepared with.
func (m *Market) Config() Config { return m.cfg }

// Data reports what Prepare did with the candles.
func (m *Market) Data() DataReport { return m.data }

// clean returns the valid bars of one symbol, sorted by OpenTime, one per OpenTime.
func (m *Market) clean(sym coach.Symbol, in []coach.Candle) []coach.Candle {
	valid := sym.Valid()
	bars := make([]coach.Candle, 0, len(in))
	for _, c := range in {
		switch {
		case c.Interval != m.cfg.Interval:
			m.data.OtherInterval++
		case !valid || c.Symbol != sym || !goodBar(c, m.step):
			m.data.Invalid++
		default:
			bars = append(bars, c)
		}
	}
	slices.SortFunc(bars, func(a, b coach.Candle) int { return a.OpenTime.Compare(b.OpenTime) })
	out := bars[:0]
	for i := 0; i < len(bars); {
		j := i + 1
		conflict := false
		for j < len(bars) && bars[j].OpenTime.Equal(bars[i].OpenTime) {
			if !sameBar(bars[i], bars[j]) {
				conflict = true
			}
			j++
		}
		if conflict {
			m.data.Conflicting += j - i
		} else {
			m.data.Duplicates += j - i - 1
			out = append(out, bars[i])
		}
		i = j
	}
	m.data.Candles += len(out)
	return out
}

// goodBar reports whether c has finite positive prices with low ≤ open, close ≤ high, a finite
// volume ≥ 0 and an OpenTime aligned to the interval of step nanoseconds.
func goodBar(c coach.Candle, step int64) bool {
	fin := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	if !fin(c.Open) || !fin(c.High) || !fin(c.Low) || !fin(c.Close) || !fin(c.Volume) {
		return false
	}
	if !(c.Low > 0) || c.Low > c.High || c.Open < c.Low || c.Open > c.High ||
		c.Close < c.Low || c.Close > c.High || c.Volume < 0 {
		return false
	}
	ns := c.OpenTime.UnixNano()
	return c.OpenTime.Year() >= 1970 && c.OpenTime.Year() < 2262 && ns%step == 0
}

func sameBar(a, b coach.Candle) bool {
	return a.Open == b.Open && a.High == b.High && a.Low == b.Low && a.Close == b.Close &&
		a.Volume == b.Volume
}

// streams are the indicator streams of one frame, restarted at each gap.
type streams struct {
	ret               *indicator.SimpleReturnStream
	band              *indicator.BollingerStream
	rsi               *indicator.RSIStream
	hi                *indicator.HighestStream
	lo                *indicator.LowestStream
	volShort, volLong *indicator.VolatilityStream
}

func newStreams(cfg Config) streams {
	// Validate has checked every period, so the constructors cannot fail.
	var s streams
	s.ret, _ = indicator.NewSimpleReturn(cfg.bars(cfg.ReturnWindow))
	s.band, _ = indicator.NewBollinger(cfg.bars(cfg.BandWindow), cfg.BandK)
	s.rsi, _ = indicator.NewRSI(cfg.bars(cfg.RSIWindow))
	s.hi, _ = indicator.NewHighest(cfg.bars(cfg.RangeWindow))
	s.lo, _ = indicator.NewLowest(cfg.bars(cfg.RangeWindow))
	s.volShort, _ = indicator.NewVolatility(cfg.bars(cfg.VolShortWindow))
	s.volLong, _ = indicator.NewVolatility(cfg.bars(cfg.VolLongWindow))
	return s
}

func (s *streams) reset() {
	s.ret.Reset()
	s.band.Reset()
	s.rsi.Reset()
	s.hi.Reset()
	s.lo.Reset()
	s.volShort.Reset()
	s.volLong.Reset()
}

// compute runs the streams over clean bars, restarting them at every gap.
func (m *Market) compute(candles []coach.Candle) *frame {
	f := &frame{open: make([]int64, len(candles)), bars: make([]bar, len(candles))}
	s := newStreams(m.cfg)
	hour, day, need := m.cfg.hourBars(), m.cfg.dayBars(), m.cfg.volumeNeed()
	// hv[i] is the volume of the hour of candles ending with bar i: a difference of running sums.
	sum := make([]float64, len(candles)+1)
	hv := make([]float64, len(candles))
	for i, c := range candles {
		b := &f.bars[i]
		b.open = c.OpenTime.UnixNano()
		f.open[i] = b.open
		b.close, b.high, b.low = c.Close, c.High, c.Low
		b.run = 1
		if i > 0 {
			if b.open-f.bars[i-1].open == m.step {
				b.run = min(f.bars[i-1].run+1, math.MaxInt32-1)
			} else {
				m.data.Gaps++
				s.reset()
			}
		}
		b.ret, _ = s.ret.Update(c.Close)
		sum[i+1] = sum[i] + c.Volume
		hv[i] = sum[i+1] - sum[max(i+1-hour, 0)]
		b.av = sameHourVolume(hv, i, int(b.run), day, need, m.cfg.VolumeDays)
		band, _ := s.band.Update(c.Close)
		b.upper, b.mid, b.lower = band.Upper, band.Middle, band.Lower
		b.rsi, _ = s.rsi.Update(c.Close)
		b.hi, _ = s.hi.Update(c.High)
		b.lo, _ = s.lo.Update(c.Low)
		b.volShort, _ = s.volShort.Update(c.Close)
		b.volLong, _ = s.volLong.Update(c.Close)
	}
	return f
}

// sameHourVolume is the abnormal volume at bar i: hv[i], the volume of the hour ending with it,
// over the mean of hv at the same time of day on each of the days previous days. NaN when
// fewer than need contiguous bars end at i, or when the baseline is 0.
func sameHourVolume(hv []float64, i, run, day, need, days int) float64 {
	if run < need || days < 1 {
		return math.NaN()
	}
	base := 0.0
	for k := 1; k <= days; k++ {
		base += hv[i-k*day]
	}
	base /= float64(days)
	if !(base > 0) {
		return math.NaN()
	}
	return hv[i] / base
}

// barBefore returns sym's bar that closed last at or before ts — the bar just before the one
// containing ts — or nil and the cause when that bar is missing.
func (m *Market) barBefore(sym coach.Symbol, ts int64) (*bar, string) {
	hint := 0
	return m.lookup(m.frames[sym], ts, &hint)
}

// barAt returns sym's bar that contains ts (its OpenTime ≤ ts < its close), or nil when it is
// missing. It looks ahead to the bar's close: only the account metric's SaleBar mark reads it.
func (m *Market) barAt(sym coach.Symbol, ts int64) *bar {
	f := m.frames[sym]
	if f == nil {
		return nil
	}
	i, found := slices.BinarySearch(f.open, floorDiv(ts, m.step)*m.step)
	if !found {
		return nil
	}
	return &f.bars[i]
}

// lookup is barBefore in frame f. hint is where the previous lookup in f found its bar: trades
// come in time order, so the next bar is usually there or just after it, and otherwise a binary
// search finds it.
func (m *Market) lookup(f *frame, ts int64, hint *int) (*bar, string) {
	if f == nil {
		return nil, CauseNoCandles
	}
	want := floorDiv(ts, m.step)*m.step - m.step
	if h := *hint; h < len(f.open) && f.open[h] == want {
		return &f.bars[h], ""
	} else if h+1 < len(f.open) && f.open[h+1] == want {
		*hint = h + 1
		return &f.bars[h+1], ""
	}
	i, found := slices.BinarySearch(f.open, want)
	if !found {
		if i == 0 {
			return nil, CauseNoCandles
		}
		return nil, CauseMissingBar
	}
	*hint = i
	return &f.bars[i], ""
}

// floorDiv is a/b rounded toward −∞ (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// timeOf converts Unix nanoseconds to a UTC time.
func timeOf(ns int64) time.Time { return time.Unix(0, ns).UTC() }
