package coach

import (
	"context"
	"errors"
	"fmt"
)

// Code is the machine-readable part of every error this module returns: one of the E*
// constants. Callers branch on ErrorCode(err), never on message text. The HTTP layer maps each
// code to one status.
type Code string

// Error codes.
const (
	EINVALID      Code = "invalid"      // the input is malformed or out of range
	ENOTFOUND     Code = "not_found"    // no such thing, or it belongs to another user
	ECONFLICT     Code = "conflict"     // a unique constraint or a concurrent change
	EUNAUTHORIZED Code = "unauthorized" // no valid credentials
	EFORBIDDEN    Code = "forbidden"    // valid credentials, not allowed
	ERATELIMITED  Code = "rate_limited" // too many requests; try again later
	EGONE         Code = "gone"         // existed once, no longer retained (e.g. events past retention)
	EUNAVAILABLE  Code = "unavailable"  // a dependency is down or refused; safe to retry
	ECANCELED     Code = "canceled"     // the caller's context ended: cancelled or past its deadline
	ERETRYABLE    Code = "retryable"    // a serialization failure or deadlock: retry the whole operation
	EINTERNAL     Code = "internal"     // a fault: logged, and shown to users only as "internal error"
)

// codes is every E* constant, for Code.Known.
var codes = map[Code]bool{
	EINVALID: true, ENOTFOUND: true, ECONFLICT: true, EUNAUTHORIZED: true, EFORBIDDEN: true,
	ERATELIMITED: true, EGONE: true, EUNAVAILABLE: true, ECANCELED: true, ERETRYABLE: true,
	EINTERNAL: true,
}

// Known reports whether c is one of the E* constants.
func (c Code) Known() bool { return codes[c] }

// Error is an expected condition with a code for machines and a message for people. Messages
// never carry secrets, tokens or driver text. An Error may keep the error that caused it (a dial
// error under EUNAVAILABLE, the context's error under ECANCELED) for errors.Is, errors.As and
// the log; ErrorMessage never shows the cause.
type Error struct {
	// Code is one of the E* constants.
	Code Code
	// Message is safe to show to the user.
	Message string
	// Err is the cause, or nil. It is reached by Unwrap and printed by Error (for logs), never by
	// ErrorMessage.
	Err error
}

// Error implements the error interface for logs: the code, the message and the cause when there
// is one. A nil *Error (a programming mistake: a typed nil returned as an error) reads
// "coach error: nil".
func (e *Error) Error() string {
	if e == nil {
		return "coach error: nil"
	}
	if e.Err != nil {
		return fmt.Sprintf("coach error: code=%s message=%s cause=%v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("coach error: code=%s message=%s", e.Code, e.Message)
}

// Unwrap returns the cause, or nil, so that errors.Is and errors.As reach it.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// CoachCode returns the code as a string: it makes *Error a Coded.
func (e *Error) CoachCode() string {
	if e == nil {
		return string(EINTERNAL)
	}
	return string(e.Code)
}

// Errorf returns an *Error with the given code and a formatted message, and no cause.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with the given code and formatted message that keeps cause for
// errors.Is, errors.As and the log. The message must not repeat the cause's text: users see the
// message, never the cause.
func WrapError(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// ContextError returns an ECANCELED error whose cause is err, and true, when err is or wraps
// context.Canceled or context.DeadlineExceeded: the caller's context ended. Otherwise it returns
// nil and false. Every adapter translates a context error through it, so that a cancelled or
// timed-out call reads ECANCELED everywhere and errors.Is(err, context.Canceled) (or
// DeadlineExceeded) still holds.
func ContextError(err error) (*Error, bool) {
	switch {
	case err == nil:
		return nil, false
	case errors.Is(err, context.DeadlineExceeded):
		return WrapError(ECANCELED, err, "the request timed out"), true
	case errors.Is(err, context.Canceled):
		return WrapError(ECANCELED, err, "the request was canceled"), true
	}
	return nil, false
}

// Coded is an error that declares its own code without importing this package (as
// bias/indicator does, which imports only the standard library). CoachCode returns one of the E*
// constants as a string; ErrorCode reads an unknown one as EINTERNAL. ErrorMessage shows the
// Error text of a Coded that is not an *Error, so implement it only on errors whose text is safe
// to show to users.
type Coded interface {
	error
	CoachCode() string
}

// coded returns the code and the user-facing message of the first *Error or Coded in err's
// chain.
func coded(err error) (Code, string) {
	var c Coded
	if !errors.As(err, &c) {
		return EINTERNAL, "internal error"
	}
	if e, ok := c.(*Error); ok {
		if e == nil {
			return EINTERNAL, "internal error"
		}
		return e.Code, e.Message
	}
	code := Code(c.CoachCode())
	if !code.Known() || code == EINTERNAL {
		return EINTERNAL, "internal error"
	}
	return code, c.Error()
}

// ErrorCode returns the code of the first *Error or Coded in err's chain, "" for a nil err, and
// EINTERNAL for any other error (an unexpected driver or I/O failure), for a nil *Error in the
// chain (a typed nil returned as an error) and for a Coded declaring an unknown code.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	code, _ := coded(err)
	return code
}

// ErrorMessage returns the message of the first *Error or Coded in err's chain (never the text of
// an *Error's cause), "" for a nil err, and "internal error" for any other error (and a nil
// *Error), so that driver text never reaches a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	_, msg := coded(err)
	return msg
}
