package ws

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

// TestUnreachableRelayKeepsCause: a failed dial and a lost connection are EUNAVAILABLE with the
// network error as their cause, which their messages do not show.
func TestUnreachableRelayKeepsCause(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused by 10.1.2.3")}
	for name, err := range map[string]error{"dial": dialError(nil, dial), "lost": closeError(-1, dial)} {
		if coach.ErrorCode(err) != coach.EUNAVAILABLE {
			t.Errorf("%s: code %q, want unavailable", name, coach.ErrorCode(err))
		}
		var op *net.OpError
		if !errors.As(err, &op) || op != dial {
			t.Errorf("%s: errors.As does not reach the *net.OpError", name)
		}
		if msg := coach.ErrorMessage(err); strings.Contains(msg, "10.1.2.3") {
			t.Errorf("%s: message %q shows the network error", name, msg)
		}
	}
}
