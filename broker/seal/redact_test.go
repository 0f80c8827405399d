package seal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/internal/secrettest"
)

// holder is how secrets usually travel: inside a struct, exported or not.
type holder struct {
	Access  seal.Token
	Sealed  seal.Sealed
	refresh seal.Token
}

func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	const secret = "tok-SUPERSECRET-42"
	ctx := context.Background()
	s := mustSealer(t, seal.Config{KEK: mustKEK(t, 1)})
	tok := seal.NewToken(secret)
	sealed, err := s.Seal(ctx, bindA, tok)
	if err != nil {
		t.Fatal(err)
	}
	h := holder{Access: tok, Sealed: sealed, refresh: tok}
	_, openErr := s.Open(ctx, seal.Binding{UserID: "u1", Broker: "coinbase", ConnectionID: "other", Purpose: "access"}, sealed)
	if openErr == nil {
		t.Fatal("Open under another binding succeeded")
	}

	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		for _, v := range []any{tok, &tok, sealed, h, &h, []seal.Token{tok}, map[string]seal.Sealed{"a": sealed}, openErr} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
	}
	fmt.Fprintln(&out, tok, sealed, h)
	out.WriteString(fmt.Sprint(tok, sealed) + "\n")

	log := slog.New(slog.NewJSONHandler(&out, nil))
	log.Info("connect", "token", tok, "sealed", sealed, "holder", h, "err", openErr,
		slog.Any("ptr", &tok), slog.Group("g", "t", tok))
	slog.New(slog.NewTextHandler(&out, nil)).Info("connect", "token", tok, "sealed", sealed, "holder", h)

	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)

	text := out.String()
	for _, leak := range []string{
		secret,
		hex.EncodeToString([]byte(secret)),
		base64.StdEncoding.EncodeToString(sealed.Bytes()),
		hex.EncodeToString(sealed.Bytes()),
		fmt.Sprint(sealed.Bytes()),
		string(sealed.Bytes()[20:]),
	} {
		if strings.Contains(text, leak) {
			t.Fatalf("output contains a secret form %q:\n%s", leak, text)
		}
	}
	for _, want := range []string{seal.Redacted, seal.SealedText} {
		if !strings.Contains(text, want) {
			t.Errorf("output never says %q", want)
		}
	}
	if coach.ErrorMessage(openErr) == "" || strings.Contains(openErr.Error(), secret) {
		t.Errorf("open error = %q", openErr)
	}
}

// Every value of this package that holds a secret or ciphertext prints neither, however it is
// nested (an unexported field included, where fmt cannot call Format).
func TestValuesNeverPrintSecretsNested(t *testing.T) {
	t.Parallel()
	const secret = "tok-NESTED-SECRET-77"
	ctx := context.Background()
	keys := seal.NewMemoryDataKeys()
	s := mustSealer(t, seal.Config{KEK: mustKEK(t, 1), DataKeys: keys})
	tok := seal.NewToken(secret)
	sealed, err := s.Seal(ctx, bindA, tok)
	if err != nil {
		t.Fatal(err)
	}
	env, err := seal.Decode(sealed)
	if err != nil {
		t.Fatal(err)
	}
	secrettest.AssertRedacted(t, [][]byte{[]byte(secret), env.Ciphertext, env.WrappedDEK, bytes.Repeat([]byte{1}, seal.KeySize)},
		tok, sealed, holder{Access: tok, Sealed: sealed, refresh: tok}, s, mustKEK(t, 1), keys)
}
