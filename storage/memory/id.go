package memory

import (
	"strconv"

	"github.com/tradecoach/coach"
)

// idSeq hands out the ids of one batch cheaply: a fresh coach.NewID (a cuid, unique across
// processes) followed by "-" and the position in the batch in base 36. Ids stay unique because
// every prefix is a distinct cuid of fixed length; generating a cuid per row would cost more than
// storing the row.
type idSeq struct {
	prefix string
	n      int64
}

// next returns the batch's next id.
func (s *idSeq) next() string {
	if s.prefix == "" {
		s.prefix = coach.NewID()
	}
	var buf [64]byte
	b := append(buf[:0], s.prefix...)
	b = append(b, '-')
	b = strconv.AppendInt(b, s.n, 36)
	s.n++
	return string(b)
}
