package smtp

import (
	"context"
	"errors"
	"strconv"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/tradecoach/coach"
)

// formatError turns an error of stage st of a Send into the port's codes, in one place: the
// caller's context ending is ECANCELED; the Send's own timeout EUNAVAILABLE; a relay reply of 5xx
// to RCPT or DATA EINVALID (the recipient or the message refused for good: retrying cannot help),
// any other reply — 4xx, or a refused AUTH, STARTTLS or sender (MAIL), which are the host's
// configuration, not the message — EUNAVAILABLE; a network or TLS failure EUNAVAILABLE. The
// relay's reply text is left out, since it may quote the recipient's address; its codes are kept.
func formatError(callerCtx, sendCtx context.Context, st stage, err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := coach.ContextError(callerCtx.Err()); ok {
		return ce
	}
	if errors.Is(sendCtx.Err(), context.DeadlineExceeded) {
		return coach.Errorf(coach.EUNAVAILABLE, "smtp: the relay did not finish within the timeout (at %s)", st)
	}
	var se *gosmtp.SMTPError
	if errors.As(err, &se) {
		code := coach.EUNAVAILABLE
		if se.Code >= 500 && (st == "rcpt" || st == "data") {
			code = coach.EINVALID
		}
		reply := "reply " + strconv.Itoa(se.Code)
		if se.EnhancedCode != gosmtp.NoEnhancedCode && se.EnhancedCode != (gosmtp.EnhancedCode{}) {
			reply += " " + strconv.Itoa(se.EnhancedCode[0]) + "." + strconv.Itoa(se.EnhancedCode[1]) + "." + strconv.Itoa(se.EnhancedCode[2])
		}
		return coach.Errorf(code, "smtp: the relay refused the message at %s (%s)", st, reply)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return coach.WrapError(coach.EUNAVAILABLE, err, "smtp: the relay did not answer in time (at %s)", st)
	}
	return coach.WrapError(coach.EUNAVAILABLE, err, "smtp: the relay could not be reached (at %s)", st)
}
