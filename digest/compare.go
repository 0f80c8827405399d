package digest

// compare returns p minus prev.
func compare(p, prev *Payload) Comparison {
	c := Comparison{
		Week: prev.Week, PeriodStart: prev.PeriodStart,
		TradeCount: p.TradeCount - prev.TradeCount, ActiveDays: p.ActiveDays - prev.ActiveDays,
		CountsByBias: map[string]int{},
	}
	if p.Quote == prev.Quote || p.Quote == "" || prev.Quote == "" {
		r, f := p.Realized.Sub(prev.Realized), p.Fees.Sub(prev.Fees)
		c.Realized, c.Fees = &r, &f
	}
	for l, n := range p.CountsByBias {
		c.CountsByBias[l] = n - prev.CountsByBias[l]
	}
	for l, n := range prev.CountsByBias {
		if _, ok := p.CountsByBias[l]; !ok {
			c.CountsByBias[l] = -n
		}
	}
	c.RuleViolations = totalBroken(p.RuleViolations) - totalBroken(prev.RuleViolations)
	return c
}

func totalBroken(vs []Violation) int {
	n := 0
	for _, v := range vs {
		n += v.Count
	}
	return n
}
