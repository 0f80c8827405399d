package indicator

// updater is the shape of every single-input, single-output stream.
type updater interface {
	Update(x float64) (float64, bool)
}

// apply runs xs through s and returns one output per input. When err is not nil (the parameters
// were invalid) every output is NaN. Driving the stream is what makes batch and streaming
// results identical bit for bit.
func apply(xs []float64, s updater, err error) []float64 {
	out := make([]float64, len(xs))
	if err != nil {
		fillNaN(out)
		return out
	}
	for i, x := range xs {
		out[i], _ = s.Update(x)
	}
	return out
}

// fillNaN sets every element of xs to NaN.
func fillNaN(xs []float64) {
	for i := range xs {
		xs[i] = nan
	}
}
