package s3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tradecoach/coach"
)

// sdkError wraps err the way the SDK hands operation errors back.
func sdkError(err error) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "GetObject", Err: &retry.MaxAttemptsError{Attempt: 3, Err: err}}
}

// responseError is an error answer of the server with status and S3 code.
func responseError(status int, code string) error {
	var api error = &smithy.GenericAPIError{Code: code, Message: "server text"}
	if code == "" {
		api = errors.New("server text")
	}
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: api}
}

func TestFormatError(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		name string
		err  error
		want coach.Code
	}{
		{"nil", nil, ""},
		{"NoSuchKey", sdkError(responseError(404, "NoSuchKey")), coach.ENOTFOUND},
		{"typed NoSuchKey", sdkError(&types.NoSuchKey{}), coach.ENOTFOUND},
		{"HeadObject 404 NotFound", sdkError(responseError(404, "NotFound")), coach.ENOTFOUND},
		{"NoSuchBucket", sdkError(responseError(404, "NoSuchBucket")), coach.ENOTFOUND},
		{"bare 404", sdkError(responseError(404, "")), coach.ENOTFOUND},
		{"AccessDenied", sdkError(responseError(403, "AccessDenied")), coach.EFORBIDDEN},
		{"bare 403", sdkError(responseError(403, "")), coach.EFORBIDDEN},
		{"SlowDown", sdkError(responseError(503, "SlowDown")), coach.ERATELIMITED},
		{"Throttling", sdkError(responseError(400, "ThrottlingException")), coach.ERATELIMITED},
		{"bare 429", sdkError(responseError(429, "")), coach.ERATELIMITED},
		{"ServiceUnavailable", sdkError(responseError(503, "ServiceUnavailable")), coach.EUNAVAILABLE},
		{"InternalError", sdkError(responseError(500, "InternalError")), coach.EUNAVAILABLE},
		{"bare 502", sdkError(responseError(502, "")), coach.EUNAVAILABLE},
		{"connection refused", sdkError(&smithyhttp.RequestSendError{Err: refused}), coach.EUNAVAILABLE},
		{"no response", sdkError(&smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{}}, Err: &smithyhttp.RequestSendError{Err: refused}}), coach.EUNAVAILABLE},
		{"dns", sdkError(&net.DNSError{Err: "no such host", Name: "s3.invalid"}), coach.EUNAVAILABLE},
		{"deadline", sdkError(context.DeadlineExceeded), coach.ECANCELED},
		{"i/o timeout", sdkError(&smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}}), coach.EUNAVAILABLE},
		{"bad credentials", sdkError(responseError(403, "InvalidAccessKeyId")), coach.EINTERNAL},
		{"bad signature", sdkError(responseError(403, "SignatureDoesNotMatch")), coach.EINTERNAL},
		{"bad digest", sdkError(responseError(400, "BadDigest")), coach.EINTERNAL},
		{"unknown 400", sdkError(responseError(400, "InvalidArgument")), coach.EINTERNAL},
		{"plain error", errors.New("boom"), coach.EINTERNAL},
		{"canceled", sdkError(context.Canceled), coach.ECANCELED},
		{"canceled while sending", sdkError(&smithyhttp.RequestSendError{Err: fmt.Errorf("Get: %w", context.Canceled)}), coach.ECANCELED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := formatError("op", tc.err)
			if code := coach.ErrorCode(got); code != tc.want {
				t.Errorf("code %q (%v), want %q", code, got, tc.want)
			}
			if tc.err != nil && !errors.Is(got, tc.err) {
				t.Errorf("%s error %v does not keep the SDK's as its cause", tc.want, got)
			}
			if tc.want != "" && tc.want != coach.EINTERNAL {
				msg := coach.ErrorMessage(got)
				for _, leak := range []string{"server text", "127.0.0.1", "s3.invalid"} {
					if strings.Contains(msg, leak) {
						t.Errorf("message %q carries driver text %q", msg, leak)
					}
				}
			}
		})
	}
	if !errors.Is(formatError("op", sdkError(context.Canceled)), context.Canceled) {
		t.Error("a canceled operation does not say so to errors.Is")
	}
}
