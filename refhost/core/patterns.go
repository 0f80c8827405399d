package core

// Patterns returns the pattern of every route of the core API, in the route table's order, as
// net/http spells them ("GET /trades/{id}"): what the public API document must describe.
func Patterns() []string {
	rs := (&API{}).routes() // method values only: no handler runs
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.pattern
	}
	return out
}
