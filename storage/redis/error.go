package redis

import "github.com/tradecoach/coach/internal/rediserror"

// formatError translates a driver error of operation op into the coach error model
// (rediserror.Format: canceled, unavailable with the driver error as cause, or internal).
func formatError(op string, err error) error { return rediserror.Format(op, err) }
