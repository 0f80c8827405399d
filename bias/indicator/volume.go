package indicator

// AbnormalVolume returns each volume divided by the mean of the n volumes before it, Barber and
// Odean's (2008) abnormal volume AV[t] = vs[t] / mean(vs[t-n..t-1]). The current bar is not in
// its own baseline, so a spike is measured against the bars before it and does not dampen
// itself. out has len(vs) elements, NaN during the warm-up (t < n) and around gaps; all NaN when
// n is out of range.
//
// Volumes must be finite and ≥ 0: any other volume is a gap (see the package doc). When the n
// previous volumes are all 0 there is no baseline, and the value is NaN (undefined) rather than
// +Inf or 0.
func AbnormalVolume(vs []float64, n int) []float64 {
	s, err := NewAbnormalVolume(n)
	return apply(vs, s, err)
}

// AbnormalVolumeStream is the streaming form of AbnormalVolume: each Update is O(1) and
// allocates nothing.
type AbnormalVolumeStream struct {
	w window
}

// NewAbnormalVolume returns an abnormal-volume stream with a baseline of n bars, or an error
// wrapping ErrInvalidParam unless 1 ≤ n ≤ MaxPeriod.
func NewAbnormalVolume(n int) (*AbnormalVolumeStream, error) {
	if err := checkPeriod("AbnormalVolume", "period", n); err != nil {
		return nil, err
	}
	return &AbnormalVolumeStream{w: newWindow(n, false)}, nil
}

// Lookback returns n: the first value comes with input number n+1, once n volumes make the
// baseline.
func (s *AbnormalVolumeStream) Lookback() int { return len(s.w.buf) }

// Reset returns the stream to its newly constructed state without allocating.
func (s *AbnormalVolumeStream) Reset() { s.w.reset() }

// Update adds the next volume and returns it divided by the mean of the n volumes before it. ok
// is false, and the value NaN, during the warm-up and when that mean is 0; a volume that is not
// finite and ≥ 0 is a gap that restarts the warm-up.
func (s *AbnormalVolumeStream) Update(v float64) (value float64, ok bool) {
	if !(v >= 0) || !finite(v) {
		s.Reset()
		return nan, false
	}
	value = nan
	if s.w.full() {
		if m := s.w.mean(); m > 0 {
			value = v / m
		}
	}
	s.w.pushSum(v)
	return value, value == value
}
