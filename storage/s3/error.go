package s3

import (
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	pkgerrors "github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

// formatError translates an SDK error of operation op into the coach error model, by the S3
// error code first and the HTTP status second:
//
//	NoSuchKey, NoSuchBucket, NotFound, 404         ENOTFOUND
//	AccessDenied, AllAccessDisabled, 403           EFORBIDDEN
//	SlowDown, Throttling…, TooManyRequests, 429    ERATELIMITED
//	ServiceUnavailable, InternalError, 5xx         EUNAVAILABLE
//	connection refused/reset, timeouts, DNS, …     EUNAVAILABLE
//	anything else                                  EINTERNAL, wrapped with a stack
//
// Credential errors (InvalidAccessKeyId, SignatureDoesNotMatch) are deployment faults and stay
// EINTERNAL so that they are logged. A cancelled or expired context is ECANCELED
// (coach.ContextError), checked first, so errors.Is still finds context.Canceled or
// DeadlineExceeded. Coded errors keep the SDK's error as their cause; messages never carry the
// server's text.
func formatError(op string, err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := coach.ContextError(err); ok {
		return ce
	}
	if code := codeOf(err); code != "" {
		return coach.WrapError(code, err, "s3: %s: %s", op, messages[code])
	}
	return pkgerrors.Wrap(err, "s3: "+op)
}

// messages are the user-safe texts of the codes formatError returns.
var messages = map[coach.Code]string{
	coach.ENOTFOUND:    "not found",
	coach.EFORBIDDEN:   "access denied",
	coach.ERATELIMITED: "storage is throttling requests; try again later",
	coach.EUNAVAILABLE: "storage unavailable",
}

// apiCodes maps S3 error codes to coach codes.
var apiCodes = map[string]coach.Code{
	"NoSuchKey":                 coach.ENOTFOUND,
	"NoSuchBucket":              coach.ENOTFOUND,
	"NotFound":                  coach.ENOTFOUND,
	"NoSuchVersion":             coach.ENOTFOUND,
	"AccessDenied":              coach.EFORBIDDEN,
	"AllAccessDisabled":         coach.EFORBIDDEN,
	"Forbidden":                 coach.EFORBIDDEN,
	"SlowDown":                  coach.ERATELIMITED,
	"Throttling":                coach.ERATELIMITED,
	"ThrottlingException":       coach.ERATELIMITED,
	"RequestThrottled":          coach.ERATELIMITED,
	"RequestLimitExceeded":      coach.ERATELIMITED,
	"TooManyRequests":           coach.ERATELIMITED,
	"TooManyRequestsError":      coach.ERATELIMITED,
	"ServiceUnavailable":        coach.EUNAVAILABLE,
	"InternalError":             coach.EUNAVAILABLE,
	"RequestTimeout":            coach.EUNAVAILABLE,
	"RequestTimeTooSkewed":      coach.EINTERNAL,
	"InvalidAccessKeyId":        coach.EINTERNAL,
	"SignatureDoesNotMatch":     coach.EINTERNAL,
	"ExpiredToken":              coach.EINTERNAL,
	"InvalidBucketName":         coach.EINTERNAL,
	"BucketAlreadyExists":       coach.EINTERNAL,
	"EntityTooLarge":            coach.EINTERNAL,
	"BadDigest":                 coach.EINTERNAL,
	"XAmzContentSHA256Mismatch": coach.EINTERNAL,
}

// codeOf returns the coach code err maps to, or "" for an unexpected error.
func codeOf(err error) coach.Code {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if code, ok := apiCodes[apiErr.ErrorCode()]; ok {
			if code == coach.EINTERNAL {
				return ""
			}
			return code
		}
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		switch status := respErr.HTTPStatusCode(); {
		case status == http.StatusNotFound:
			return coach.ENOTFOUND
		case status == http.StatusForbidden:
			return coach.EFORBIDDEN
		case status == http.StatusTooManyRequests:
			return coach.ERATELIMITED
		case status >= 500:
			return coach.EUNAVAILABLE
		case status != 0: // 0: no response, the request was never answered
			return ""
		}
	}
	if unreachable(err) {
		return coach.EUNAVAILABLE
	}
	return ""
}

// unreachable reports whether err means the server could not be reached or did not answer.
func unreachable(err error) bool {
	var sendErr *smithyhttp.RequestSendError
	var quotaErr ratelimit.QuotaExceededError
	var netErr net.Error
	var dnsErr *net.DNSError
	return errors.As(err, &sendErr) ||
		errors.As(err, &quotaErr) ||
		errors.As(err, &dnsErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}
