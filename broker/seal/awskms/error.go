package awskms

import (
	"errors"

	"github.com/aws/smithy-go"
	pkgerrors "github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

// formatError translates an SDK error of operation op into the coach error model, by KMS's error
// code:
//
//	InvalidCiphertextException, IncorrectKeyException   EINVALID (the wrapped key does not open)
//	AccessDeniedException                               EFORBIDDEN
//	ThrottlingException, LimitExceededException         ERATELIMITED
//	DisabledException, KMSInvalidStateException,
//	NotFoundException, KeyUnavailableException,
//	DependencyTimeoutException, KMSInternalException    EUNAVAILABLE
//	no answer (refused, reset, timed out, DNS)          EUNAVAILABLE
//	anything else                                       EINTERNAL, wrapped with a stack
//
// A cancelled or expired context is ECANCELED, checked first. Coded errors keep the SDK's error
// as their cause; messages never carry KMS's text.
func formatError(op string, err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := coach.ContextError(err); ok {
		return ce
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "InvalidCiphertextException", "IncorrectKeyException":
			return coach.WrapError(coach.EINVALID, err, "awskms: %s: the wrapped data key does not open with this key and context", op)
		case "AccessDeniedException":
			return coach.WrapError(coach.EFORBIDDEN, err, "awskms: %s: access to the key denied", op)
		case "ThrottlingException", "LimitExceededException":
			return coach.WrapError(coach.ERATELIMITED, err, "awskms: %s: KMS is throttling requests; try again later", op)
		case "DisabledException", "KMSInvalidStateException", "NotFoundException", "KeyUnavailableException",
			"DependencyTimeoutException", "KMSInternalException":
			return coach.WrapError(coach.EUNAVAILABLE, err, "awskms: %s: the key is unavailable", op)
		}
		return pkgerrors.Wrap(err, "awskms: "+op)
	}
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) {
		// No API answer: the request did not reach KMS or its answer did not come back.
		return coach.WrapError(coach.EUNAVAILABLE, err, "awskms: %s: KMS unreachable", op)
	}
	return pkgerrors.Wrap(err, "awskms: "+op)
}
