package slo

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// Since returns what happened between earlier and f, two reads of the same host: each counter's
// and histogram's series with the same labels added up (over processes, as Parse does) in each
// read, then earlier's taken from f's. The objectives checked on it are those of that window
// alone — a steady load's, say, without the start-up before it. A series that went down (a
// process restarted in between) counts from zero; families of other types are left out.
func (f Families) Since(earlier Families) Families {
	out := Families{}
	for name, fam := range f {
		if fam.GetType() != dto.MetricType_COUNTER && fam.GetType() != dto.MetricType_HISTOGRAM {
			continue
		}
		now, before := sumByLabels(fam), map[string]*dto.Metric{}
		if e := earlier[name]; e != nil && e.GetType() == fam.GetType() {
			before = sumByLabels(e)
		}
		diff := &dto.MetricFamily{Name: fam.Name, Help: fam.Help, Type: fam.Type}
		for _, key := range slices.Sorted(maps.Keys(now)) {
			diff.Metric = append(diff.Metric, subtract(now[key], before[key]))
		}
		out[name] = diff
	}
	return out
}

// sumByLabels adds up fam's series that have the same labels.
func sumByLabels(fam *dto.MetricFamily) map[string]*dto.Metric {
	out := map[string]*dto.Metric{}
	for _, m := range fam.GetMetric() {
		key := labelKey(m)
		have, ok := out[key]
		if !ok {
			out[key] = proto.Clone(m).(*dto.Metric)
			continue
		}
		if c := m.GetCounter(); c != nil {
			have.Counter.Value = proto.Float64(have.GetCounter().GetValue() + c.GetValue())
		}
		if h := m.GetHistogram(); h != nil {
			hh := have.GetHistogram()
			hh.SampleCount = proto.Uint64(hh.GetSampleCount() + h.GetSampleCount())
			hh.SampleSum = proto.Float64(hh.GetSampleSum() + h.GetSampleSum())
			byBound := map[float64]*dto.Bucket{}
			for _, b := range hh.GetBucket() {
				byBound[b.GetUpperBound()] = b
			}
			for _, b := range h.GetBucket() {
				if hb, ok := byBound[b.GetUpperBound()]; ok {
					hb.CumulativeCount = proto.Uint64(hb.GetCumulativeCount() + b.GetCumulativeCount())
				} else {
					hh.Bucket = append(hh.Bucket, proto.Clone(b).(*dto.Bucket))
				}
			}
			slices.SortFunc(hh.Bucket, func(a, b *dto.Bucket) int {
				return cmp.Compare(a.GetUpperBound(), b.GetUpperBound())
			})
		}
	}
	return out
}

// subtract is now − before for one series (before may be nil); a count that went down starts
// from zero, as Prometheus's increase() does at a counter reset.
func subtract(now, before *dto.Metric) *dto.Metric {
	d := proto.Clone(now).(*dto.Metric)
	if before == nil {
		return d
	}
	if c := d.GetCounter(); c != nil {
		if v := c.GetValue() - before.GetCounter().GetValue(); v >= 0 {
			c.Value = proto.Float64(v)
		}
	}
	if h := d.GetHistogram(); h != nil {
		b := before.GetHistogram()
		if h.GetSampleCount() < b.GetSampleCount() {
			return d // reset: the whole of now is new
		}
		h.SampleCount = proto.Uint64(h.GetSampleCount() - b.GetSampleCount())
		h.SampleSum = proto.Float64(h.GetSampleSum() - b.GetSampleSum())
		prev := map[float64]uint64{}
		for _, bb := range b.GetBucket() {
			prev[bb.GetUpperBound()] = bb.GetCumulativeCount()
		}
		for _, bb := range h.Bucket {
			if p := prev[bb.GetUpperBound()]; p <= bb.GetCumulativeCount() {
				bb.CumulativeCount = proto.Uint64(bb.GetCumulativeCount() - p)
			}
		}
	}
	return d
}

func labelKey(m *dto.Metric) string {
	parts := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"\x00"+l.GetValue())
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x01")
}
