package bias

import "math"

// Proportion is k/n, the share of n events that were of a kind: NaN when it is undefined (n ≤ 0,
// or k outside [0, n]).
func Proportion(k, n int) float64 {
	if n <= 0 || k < 0 || k > n {
		return math.NaN()
	}
	return float64(k) / float64(n)
}

// ProportionDiff compares two proportions as Odean (1998) compares PGR with PLR, and as the
// account metrics compare every pair of proportions: p1 = k1/n1 and p2 = k2/n2 (Proportion),
// diff = p1 − p2, its unpooled standard error se = √(p1(1−p1)/n1 + p2(1−p2)/n2), and t = diff/se.
// The events are treated as independent draws. Each value is NaN when it is undefined: a
// proportion with no events (or k outside [0, n]), and whatever depends on it; t also when se = 0
// (both proportions 0 or 1). The arithmetic is the one Score uses, so the same counts give the
// same bits.
func ProportionDiff(k1, n1, k2, n2 int) (p1, p2, diff, se, t float64) {
	p1, p2 = Proportion(k1, n1), Proportion(k2, n2)
	diff = p1 - p2
	v1 := float64(p1*(1-p1)) / float64(n1)
	v2 := float64(p2*(1-p2)) / float64(n2)
	se = math.Sqrt(v1 + v2)
	t = math.NaN()
	if se > 0 {
		t = diff / se
	}
	return p1, p2, diff, se, t
}

// ClusterCounts are one cluster's events in a comparison of two proportions: K1 of N1 events of
// the first group were of the kind, and K2 of N2 of the second. For the account metrics a cluster
// is one position (a symbol from a buy with nothing held until it is sold out), which may be
// counted at several decision moments.
type ClusterCounts struct {
	K1, N1, K2, N2 int
}

// Clustered is the standard error of a difference of two proportions that treats each cluster,
// not each event, as the independent draw.
type Clustered struct {
	// Clusters counts the clusters with at least one event.
	Clusters int `json:"clusters"`
	// SE is the cluster-robust standard error of the difference and T the difference over it.
	// Both are NaN (null in JSON) when undefined: fewer than two clusters, a proportion with no
	// events, or T when SE is 0.
	SE float64 `json:"se"`
	T  float64 `json:"t"`
}

// ClusteredProportionDiff computes the difference p1 − p2 of p1 = ΣK1/ΣN1 and p2 = ΣK2/ΣN2 with
// a standard error clustered by cs: the linearized (sandwich) variance of the two ratio
// estimators with the usual small-sample factor G/(G−1) for G clusters (Stata's CR1),
//
//	zc = (K1c − p1·N1c)/ΣN1 − (K2c − p2·N2c)/ΣN2,   SE = √(G/(G−1) · Σc zc²),   t = (p1 − p2)/SE.
//
// When every cluster holds one event, Σc zc² is the unpooled variance of ProportionDiff, so SE is
// its SE times √(G/(G−1)); a cluster counted many times weighs as one draw whose size is its
// count. With few clusters the estimate is itself noisy (the account metrics' Shows asks for at
// least MinEvents of them). Clusters are summed in the order given, so the same clusters in the
// same order give the same bits. diff is ProportionDiff's.
func ClusteredProportionDiff(cs []ClusterCounts) (diff float64, c Clustered) {
	var k1, n1, k2, n2 int
	for _, x := range cs {
		if x.K1 < 0 || x.N1 < 0 || x.K2 < 0 || x.N2 < 0 || x.K1 > x.N1 || x.K2 > x.N2 {
			nan := math.NaN()
			return nan, Clustered{SE: nan, T: nan}
		}
		k1, n1, k2, n2 = k1+x.K1, n1+x.N1, k2+x.K2, n2+x.N2
		if x.N1+x.N2 > 0 {
			c.Clusters++
		}
	}
	p1, p2 := Proportion(k1, n1), Proportion(k2, n2)
	diff = p1 - p2
	c.SE, c.T = math.NaN(), math.NaN()
	if math.IsNaN(diff) || c.Clusters < 2 {
		return diff, c
	}
	var v float64
	for _, x := range cs {
		z := float64(float64(x.K1)-float64(p1*float64(x.N1)))/float64(n1) -
			float64(float64(x.K2)-float64(p2*float64(x.N2)))/float64(n2)
		v += float64(z * z)
	}
	g := float64(c.Clusters)
	c.SE = math.Sqrt(float64(g/(g-1)) * v)
	if c.SE > 0 {
		c.T = diff / c.SE
	}
	return diff, c
}
