package coach

import (
	"errors"
	"fmt"
)

// Error codes: the machine-readable part of every error this module returns. Callers branch on
// ErrorCode(err), never on message text. The HTTP layer maps each code to one status.
const (
	EINVALID      = "invalid"      // the input is malformed or out of range
	ENOTFOUND     = "not_found"    // no such thing, or it belongs to another user
	ECONFLICT     = "conflict"     // a unique constraint or a concurrent change
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // valid credentials, not allowed
	ERATELIMITED  = "rate_limited" // too many requests; try again later
	EGONE         = "gone"         // existed once, no longer retained (e.g. events past retention)
	EUNAVAILABLE  = "unavailable"  // a dependency is down or refused; safe to retry
	EINTERNAL     = "internal"     // a fault: logged, and shown to users only as "internal error"
)

// Error is an expected condition with a code for machines and a message for people. Messages
// never carry secrets, tokens or driver text.
type Error struct {
	// Code is one of the E* constants.
	Code string
	// Message is safe to show to the user.
	Message string
}

// Error implements the error interface. A nil *Error (a programming mistake: a typed nil
// returned as an error) reads "coach error: nil".
func (e *Error) Error() string {
	if e == nil {
		return "coach error: nil"
	}
	return fmt.Sprintf("coach error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil err, and EINTERNAL
// for any other error (an unexpected driver or I/O failure) and for a nil *Error in the chain (a
// typed nil returned as an error).
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, "" for a nil err, and
// "internal error" for any other error (and a nil *Error), so that driver text never reaches a
// user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Message
	}
	return "internal error"
}
