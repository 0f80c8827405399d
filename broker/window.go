package broker

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// ImportWindow is Import of the fills in [from, to) instead of the Importer's window: the
// import.trades job imports the window its payload names, so that the job id
// ("import:{connectionId}:{windowStart}") says exactly what it imports, whenever it runs. It
// records and resumes exactly as Import does, and asks Scorer to score [from, to) after a
// successful import.
//
// Errors: EINVALID when from or to is zero or from is not before to; otherwise Import's.
func (im *Importer) ImportWindow(ctx context.Context, userID string, conn coach.BrokerConnection, src Broker, from, to time.Time, symbols ...coach.Symbol) (Summary, error) {
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return Summary{}, coach.Errorf(coach.EINVALID, "import: the window must have a start before its end")
	}
	return im.importRange(ctx, userID, conn, src, from, to, symbols)
}
