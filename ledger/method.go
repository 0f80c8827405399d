package ledger

import "github.com/tradecoach/coach"

// CostMethod chooses which cost a sell is matched against.
type CostMethod int

// Cost methods. Every method uses the same fee conventions (see Ledger); they differ only in
// which open lots a sell closes.
const (
	// FIFO matches a sell against the oldest open lots of its symbol first. It is the default
	// (the zero value).
	FIFO CostMethod = iota
	// AverageCost pools a symbol's buys and matches a sell at the pool's average cost.
	AverageCost
	// LIFO matches a sell against the newest open lots of its symbol first.
	LIFO
	// HIFO matches a sell against the open lots of its symbol with the highest unit cost first:
	// the buy's price, entry fees not counted, so that an unknown or unconvertible fee never
	// reorders lots. Lots of equal price are taken oldest first (in the ledger's order), as
	// FIFO would.
	HIFO
	// SpecificID matches a sell against the lots the caller names for it in Ledger.Selection;
	// a sell without picks, and the part of a sell its picks leave unnamed, is matched FIFO.
	SpecificID
)

// costMethodNames are the names String returns and ParseCostMethod accepts, by method.
var costMethodNames = [...]string{
	FIFO:        "fifo",
	AverageCost: "average_cost",
	LIFO:        "lifo",
	HIFO:        "hifo",
	SpecificID:  "specific",
}

// valid reports whether m is one of the cost methods above.
func (m CostMethod) valid() bool { return m >= 0 && int(m) < len(costMethodNames) }

// String returns the method's name: "fifo", "average_cost", "lifo", "hifo" or "specific"; and
// "unknown" for any other value.
func (m CostMethod) String() string {
	if !m.valid() {
		return "unknown"
	}
	return costMethodNames[m]
}

// ParseCostMethod returns the method String names s, or an EINVALID error for any other text
// (names are lower case, as String writes them).
func ParseCostMethod(s string) (CostMethod, error) {
	for m, name := range costMethodNames {
		if s == name {
			return CostMethod(m), nil
		}
	}
	return 0, coach.Errorf(coach.EINVALID, "cost method: want fifo, lifo, hifo, average_cost or specific, got %q", clip(s, 40))
}

// MarshalText writes the method's name; an unknown method is an EINVALID error.
func (m CostMethod) MarshalText() ([]byte, error) {
	if !m.valid() {
		return nil, coach.Errorf(coach.EINVALID, "cost method: unknown method %d", int(m))
	}
	return []byte(costMethodNames[m]), nil
}

// UnmarshalText reads a name as ParseCostMethod does, leaving m unchanged on error.
func (m *CostMethod) UnmarshalText(text []byte) error {
	v, err := ParseCostMethod(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
