package broker

import (
	"context"
	"io"
	"time"

	"github.com/tradecoach/coach"
)

// CSVImport is what ImportCSV did: the file as read, and the import of its trades.
type CSVImport struct {
	Summary
	// Format is the layout read; Rows, BadRows and Ignored count the file's data rows, its
	// invalid ones and the valid ones that are not trades; Errors are the first invalid rows.
	Format  CSVFormat  `json:"format"`
	Rows    int        `json:"rows"`
	BadRows int        `json:"badRows"`
	Ignored int        `json:"ignored"`
	Errors  []RowError `json:"errors,omitempty"`
}

// ImportCSV reads a CSV file of conn's fills (ParseCSV with opts; every trade is stored as
// conn's broker's, so a file of Coinbase fills uploaded to a Coinbase connection meets the fills
// its API brings, and a file on a coach.BrokerCSV connection stays a file's) and imports its
// trades for userID exactly as Import does a broker's: audit rows, import.progress events,
// deduplication against what is stored (re-uploading a file stores nothing twice), tombstones
// kept, and scoring of the window the new trades touched. The import window is that of the
// file's trades.
//
// Errors: ParseCSV's EINVALID, with the row errors in the result and nothing stored, for a file
// that cannot be read or (without opts.SkipBadRows) has an invalid row; a file with no trade is
// EINVALID; otherwise Import's.
func (im *Importer) ImportCSV(ctx context.Context, userID string, conn coach.BrokerConnection, r io.Reader, opts CSVOptions) (CSVImport, error) {
	opts.Broker = conn.Broker
	res, err := ParseCSV(r, opts)
	out := CSVImport{Format: res.Format, Rows: res.Rows, BadRows: res.BadRows, Ignored: res.Ignored, Errors: res.Errors}
	if err != nil {
		return out, err
	}
	if len(res.Trades) == 0 {
		return out, coach.Errorf(coach.EINVALID, "csv: the file holds no trade")
	}
	from, to := res.Trades[0].TS, res.Trades[0].TS
	for _, t := range res.Trades {
		from, to = minTime(from, t.TS), maxTime(to, t.TS)
	}
	src := fileBroker{name: conn.Broker, trades: res.Trades}
	out.Summary, err = im.importRange(ctx, userID, conn, src, from, to.Add(time.Nanosecond), nil)
	return out, err
}

// fileBroker is a Broker whose fills are a file's trades, in one page.
type fileBroker struct {
	name   string
	trades []coach.Trade
}

func (f fileBroker) Name() string { return f.name }

func (f fileBroker) Fills(_ context.Context, _ FillsRequest, emit func(FillPage) error) error {
	return emit(FillPage{Trades: f.trades, Scope: "file"})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
