// Package indicator computes the technical indicators the bias scorer reads from candles —
// SMA, EMA, RSI, ATR, Bollinger Bands, MACD, simple and log returns, rolling z-score, rolling
// volatility, abnormal volume and rolling highest/lowest — in float64, following TA-Lib's
// conventions, with the standard library only.
//
// # Two forms, one result
//
// Each indicator comes as a batch function over a slice, such as SMA(closes, 30), and as a
// stream, such as NewSMA(30), whose Update takes one input and returns (value, ok). A stream
// update is O(1) (amortized O(1) for Highest, Lowest and SMA) and allocates nothing: windows are
// fixed rings allocated by the constructor. Every batch function is its stream driven over the
// slice, so the two give the same values bit for bit: SMA, EMA, RSI, ATR, Bollinger and MACD run
// the warm-up and gaps through Update and the steady state in loops of their own, over the same
// per-step functions as Update (same operations, same order), with the state in registers.
//
// Batch outputs have the length of the input. An undefined value is NaN, never 0: during the
// warm-up, around gaps, and where a convention below says so. A stream's ok is false exactly
// when its value is NaN (for Band and MACDValue, when all fields are NaN).
//
// # Parameters and errors
//
// Constructors validate their parameters and return an error wrapping ErrInvalidParam when one
// is out of range (periods must be in [1, MaxPeriod]). Batch functions never fail and never
// panic: with an invalid parameter every output is undefined, so they return all NaN; call the
// constructor to learn why.
//
// # Warm-up (lookback)
//
// As in TA-Lib, each stream's Lookback method returns the number of inputs consumed before the
// first value, that is the index of the first defined output of the batch form:
//
//	SMA(n), EMA(n), Bollinger(n, k), ZScore(n)   n-1
//	Highest(n), Lowest(n)                        n-1
//	RSI(n), ATR(n)                               n
//	SimpleReturn(k), LogReturn(k)                k
//	Volatility(n), AbnormalVolume(n)             n
//	MACD(fast, slow, signal)                     slow-1 + signal-1 (33 for 12/26/9)
//
// EMA, RSI, ATR and MACD are recursive: their values depend on where the series starts
// (TA-Lib's "unstable period"), so two runs agree only some multiple of n bars after they both
// start. A deterministic scorer should fix the window it feeds them.
//
// # Conventions
//
//   - EMA is seeded with the SMA of its first n inputs and uses k = 2/(n+1) (TA-Lib's default,
//     not Metastock's first-value seed).
//   - RSI and ATR use Wilder's smoothing, avg = (avg·(n-1) + x)/n, seeded with the mean of the
//     first n changes or true ranges (Wilder 1978; TA-Lib's RSI and ATR). A flat market (no gain
//     and no loss since the start) has RSI 0, as in TA-Lib.
//   - Standard deviations are population ones (divided by n), as TA-Lib's STDDEV and BBANDS, in
//     Bollinger, ZScore and Volatility alike. A window of identical values has σ exactly 0:
//     Bollinger bands then collapse onto the middle band, and ZScore is 0.
//   - MACD seeds its fast and slow EMAs on the same bar, as TA-Lib does (see MACD).
//   - AbnormalVolume divides by the mean of the previous n volumes, excluding the current bar
//     (Barber and Odean 2008); it is NaN when that mean is 0.
//   - Operations follow TA-Lib's order, except that Wilder averages multiply by 1/n where TA-Lib
//     divides by n, window means by 1/n where TA-Lib divides their sums, and exponential
//     averages (EMA, MACD) compute x·k + ema·(1-k) where TA-Lib computes (x-ema)·k + ema (one
//     multiplication and one addition from one value to the next, not three operations): the
//     results differ from TA-Lib's by rounding only (about 1e-16 relative), far inside the 1e-9
//     tested.
//   - Log returns, in LogReturn and Volatility alike, are ln(x/p) = 2·atanh((x−p)/(x+p)), summed
//     as a series for moves within about ±3% and math.Log1p((x−p)/p) beyond: within 2 ulp of the
//     exact value either way, however small the move.
//   - Where TA-Lib compares with an absolute tolerance of 1e-8 (RSI's G+L, STDDEV's variance),
//     this package compares with exactly 0, so that coins priced far below 1 are not flattened.
//     On TA-Lib's reference series the results are the same.
//
// # Gaps: NaN and ±Inf inputs
//
// A NaN or ±Inf input (for returns and volatility, any price not > 0; for volumes, any volume
// not ≥ 0; for ATR, a bar with any such field) is a gap: that input gives NaN, and the stream
// starts over as if new, so its next value comes Lookback()+1 valid inputs later. So no value is
// ever computed across a gap, and the output after a gap equals that of a fresh stream fed from
// the gap on. Finite inputs so large that sums overflow (|x| near 1e308) may give ±Inf or NaN
// values; window indicators recover within n bars once such values leave the window, recursive
// ones at the next gap or Reset.
//
// # Floating point
//
// Rolling sums do not drift. SMA takes its window's sum afresh every n inputs, as the sum of the
// inputs since then plus the sum of the older ones still in the window, without subtracting, so
// a volume spike that has left the window is in neither sum. Where the window's inputs are not
// negative (prices, volumes) and n ≤ 1024 the two are plain sums, which cannot cancel: each SMA
// value is then within (n+2)·2⁻⁵³ of the exact mean, relative (3.6e-15 for n = 30, 1.2e-13 for
// n = 1024; tested against 200-bit sums). Elsewhere (a negative input in the window or the
// previous n inputs, or n > 1024) each sum carries a TwoSum compensation term, so that windows
// whose values cancel keep their digits. AbnormalVolume keeps a running sum with a compensation
// term, so a spike leaves no residue in it either. A window that needs its variance (Bollinger, ZScore,
// Volatility) sums deviations from a recent mean, so the variance of prices near 60,000 moving
// by cents keeps its digits (the textbook E[x²]−E[x]² over raw prices, which TA-Lib uses, would
// lose most of them). The running sums are recomputed from the ring every n inputs, and the
// centred ones sooner when the mean has moved far from where their deviations are centred
// (after a price jump leaves the window).
// So the error of a value does not grow with the length of the stream (tested over a year of
// minute candles). Products that feed a sum are rounded explicitly (a float64 conversion) so
// that no compiler fuses them into an FMA: apart from math.Log1p, which LogReturn and
// Volatility call only for moves beyond about ±3% a bar (smaller ones use a short series,
// rounded explicitly), results are the same bit for bit on every platform. On TA-Lib's 252-bar
// reference series every indicator TA-Lib has agrees with it to 1e-9 (see testdata/).
//
// # References
//
//   - TA-Lib, src/ta_func (ta_SMA.c, ta_EMA.c, ta_RSI.c, ta_ATR.c, ta_TRANGE.c, ta_BBANDS.c,
//     ta_STDDEV.c, ta_MACD.c, ta_MAX.c, ta_MIN.c), BSD-3-Clause; reference values from its
//     regression test data, src/tools/ta_regtest.
//   - Marcel van Herk, "A fast algorithm for local minimum and maximum filters on rectangular
//     and octagonal kernels", Pattern Recognition Letters 13(7), 1992; Joseph Gil and Michael
//     Werman, "Computing 2-D min, median, and max filters", IEEE Transactions on Pattern
//     Analysis and Machine Intelligence 15(5), 1993 (Highest and Lowest).
//   - J. Welles Wilder Jr., New Concepts in Technical Trading Systems, 1978 (RSI, ATR).
//   - John Bollinger, Bollinger on Bollinger Bands, 2001.
//   - Gerald Appel, Technical Analysis: Power Tools for Active Investors, 2005 (MACD).
//   - Brad M. Barber and Terrance Odean, "All That Glitters: The Effect of Attention and News on
//     the Buying Behavior of Individual and Institutional Investors", Review of Financial
//     Studies 21(2), 2008 (abnormal volume).
package indicator
