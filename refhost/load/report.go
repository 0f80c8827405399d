package load

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// Report is what a run measured.
type Report struct {
	Target string
	Users  int
	// Rate is the reads a second asked for; 0 means as fast as the reads in flight allow.
	Rate float64
	// SignUp is how long making every user ready took (0 for users made before the run);
	// Elapsed how long the reads went on.
	SignUp, Elapsed time.Duration
	// Actions is how many users acted (asked the coach a question) at the start of the run;
	// ActionErrors how many of those failed, the first described.
	Actions, ActionErrors int
	FirstActionError      string
	// Routes has one row per route in the order read, then the row "all".
	Routes []RouteReport
	Events EventReport
}

// RouteReport is one route's reads: successful ones in the throughput and percentiles, failed
// ones (no answer, or a status outside 2xx) counted in Errors with the first one described.
type RouteReport struct {
	Route              string
	Requests, Errors   int
	PerSecond          float64
	P50, P90, P99, Max time.Duration
	FirstError         string
}

// EventReport is the delay from an event's commit (its ts) to its arrival on a user's stream,
// counted once per event id; Repeated counts arrivals of an id already seen.
type EventReport struct {
	// Measured is false when the run kept no streams or the target has none.
	Measured         bool
	Events, Repeated int
	P50, P99, Max    time.Duration
	// Error describes the first stream that ended with an error.
	Error string
}

// All returns the row "all" of r.
func (r Report) All() RouteReport {
	if len(r.Routes) == 0 {
		return RouteReport{Route: "all"}
	}
	return r.Routes[len(r.Routes)-1]
}

// WriteText prints r as a table a person reads.
func (r Report) WriteText(w io.Writer) error {
	pace := "as fast as the reads in flight allow"
	if r.Rate > 0 {
		pace = fmt.Sprintf("%g reads/s asked", r.Rate)
	}
	fmt.Fprintf(w, "target %s: %d users; reads for %s (%s)\n", r.Target, r.Users, r.Elapsed.Round(time.Millisecond), pace)
	if r.SignUp > 0 {
		fmt.Fprintf(w, "sign-up of every user: %s\n", r.SignUp.Round(time.Millisecond))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\treads\terrors\treads/s\tp50\tp90\tp99\tmax\t")
	for _, rr := range r.Routes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", rr.Route, rr.Requests, rr.Errors, rr.PerSecond, ms(rr.P50), ms(rr.P90),
			ms(rr.P99), ms(rr.Max))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "questions to the coach (one a user, each answer an event): %d, %d failed", r.Actions, r.ActionErrors)
	if r.FirstActionError != "" {
		fmt.Fprintf(w, " (first: %s)", r.FirstActionError)
	}
	fmt.Fprintln(w)
	if e := r.All().FirstError; e != "" {
		fmt.Fprintf(w, "first failed read: %s\n", e)
	}
	switch ev := r.Events; {
	case !ev.Measured:
		fmt.Fprintln(w, "events: not measured (no live stream on this target)")
	default:
		fmt.Fprintf(w, "events: %d delivered (%d repeated arrivals), commit to arrival p50 %s, p99 %s, max %s\n", ev.Events, ev.Repeated,
			ms(ev.P50), ms(ev.P99), ms(ev.Max))
	}
	if r.Events.Error != "" {
		fmt.Fprintf(w, "a stream ended with: %s\n", r.Events.Error)
	}
	_, err := fmt.Fprintln(w)
	return err
}

// Comparison sets a run through the edge against one straight to core.
type Comparison struct {
	// ThroughputRatio is the edge's successful reads a second over core's.
	ThroughputRatio float64
	// AddedP50 is the edge's median read latency minus core's.
	AddedP50 time.Duration
}

// Compare compares edge with core over all routes.
func Compare(edge, core Report) Comparison {
	var c Comparison
	if core.All().PerSecond > 0 {
		c.ThroughputRatio = edge.All().PerSecond / core.All().PerSecond
	}
	c.AddedP50 = edge.All().P50 - core.All().P50
	return c
}

// WriteText prints c in one line.
func (c Comparison) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, "edge vs core: %.2f× core's throughput, %s added at p50\n", c.ThroughputRatio, ms(c.AddedP50))
	return err
}

// percentile returns the p-th percentile of ds by nearest rank (p 100 is the maximum), 0 when
// ds is empty. It sorts ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := (p*len(ds) + 99) / 100 // ceil(p/100 · n)
	return ds[max(rank, 1)-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
