package awskms_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/broker/seal/awskms"
	"github.com/tradecoach/coach/broker/seal/awskms/kmstest"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
)

// client is the real SDK client aimed at the fake over HTTP.
func client(endpoint string) *kms.Client {
	return kms.New(kms.Options{
		Region:           kmstest.Region,
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:       &http.Client{Timeout: 10 * time.Second},
		RetryMaxAttempts: 1,
	})
}

func mustKEK(t *testing.T, endpoint, keyID string) *awskms.KEK {
	t.Helper()
	k, err := awskms.New(awskms.Config{Client: client(endpoint), KeyID: keyID})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func dek() []byte { return []byte(strings.Repeat("k", seal.KeySize)) }

func TestWrapUnwrapThroughKMS(t *testing.T) {
	t.Parallel()
	fake := kmstest.New("a", "b")
	defer fake.Close()
	ctx := context.Background()
	for _, keyID := range []string{kmstest.KeyARN("a"), "a", "alias/a"} {
		k := mustKEK(t, fake.URL, keyID)
		if k.ID() != "awskms:"+keyID {
			t.Errorf("ID = %q", k.ID())
		}
		wrapped, err := k.Wrap(ctx, dek(), []byte("user-1"))
		if err != nil {
			t.Fatalf("%s: Wrap: %v", keyID, err)
		}
		got, err := k.Unwrap(ctx, wrapped, []byte("user-1"))
		if err != nil || string(got) != string(dek()) {
			t.Fatalf("%s: Unwrap = %q, %v", keyID, got, err)
		}
		// Another binding's context, or a blob of another key, never opens.
		if _, err := k.Unwrap(ctx, wrapped, []byte("user-2")); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: Unwrap with another aad = %v, want EINVALID", keyID, err)
		}
	}
	if n := fake.Calls("Encrypt", "a"); n != 3 {
		t.Errorf("Encrypt calls on key a = %d, want 3 (one per Wrap)", n)
	}
	b := mustKEK(t, fake.URL, kmstest.KeyARN("b"))
	wrappedB, err := b.Wrap(ctx, dek(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := mustKEK(t, fake.URL, kmstest.KeyARN("a"))
	if _, err := a.Unwrap(ctx, wrappedB, nil); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("key a unwrapping key b's blob = %v, want EINVALID", err)
	}
	if _, err := a.Unwrap(ctx, []byte("not a blob"), nil); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Unwrap(garbage) = %v, want EINVALID", err)
	}
}

// An alias moved to another key still unwraps what it wrapped before: the blob names its key.
func TestAliasMovedStillUnwraps(t *testing.T) {
	t.Parallel()
	fake := kmstest.New("a", "b")
	defer fake.Close()
	ctx := context.Background()
	k := mustKEK(t, fake.URL, "alias/a")
	wrapped, err := k.Wrap(ctx, dek(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	fake.PointAlias("a", "b")
	if got, err := k.Unwrap(ctx, wrapped, []byte("x")); err != nil || string(got) != string(dek()) {
		t.Fatalf("Unwrap after the alias moved = %q, %v", got, err)
	}
}

// Rotation to another KMS key, and from the local key to KMS: a Sealer with the new key and the
// old one as Previous re-wraps the data keys (Decrypt under the old key, Encrypt under the new);
// the re-wrapped envelopes open with the new key alone.
func TestRotationRewrapsDataKeys(t *testing.T) {
	t.Parallel()
	fake := kmstest.New("old", "new")
	defer fake.Close()
	ctx := context.Background()
	local, err := seal.NewLocalKEK([]byte(strings.Repeat("L", seal.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	oldKMS, newKMS := mustKEK(t, fake.URL, kmstest.KeyARN("old")), mustKEK(t, fake.URL, kmstest.KeyARN("new"))
	for _, tc := range []struct {
		name     string
		from, to seal.KEK
	}{
		{"kms to kms", oldKMS, newKMS},
		{"local to kms", local, newKMS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := memory.New()
			user := coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: time.Now().UTC()}
			if err := store.Users().Create(ctx, user); err != nil {
				t.Fatal(err)
			}
			keys := seal.StoredKeys{Keys: store.DataKeys()}
			conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerBinance, Status: coach.ConnectionActive, CreatedAt: time.Now().UTC()}
			b := seal.For(conn, seal.PurposeAccess)

			before, err := seal.New(seal.Config{KEK: tc.from, DataKeys: keys})
			if err != nil {
				t.Fatal(err)
			}
			sealed, err := before.Seal(ctx, b, seal.NewToken("api-secret"))
			if err != nil {
				t.Fatal(err)
			}
			rotating, err := seal.New(seal.Config{KEK: tc.to, Previous: []seal.KEK{tc.from}, DataKeys: keys})
			if err != nil {
				t.Fatal(err)
			}
			if need, err := rotating.NeedsRewrap(sealed); err != nil || !need {
				t.Fatalf("NeedsRewrap = %v, %v; want true", need, err)
			}
			encBefore := fake.Calls("Encrypt", "new")
			moved, err := rotating.Rewrap(ctx, user.ID, sealed)
			if err != nil {
				t.Fatalf("Rewrap: %v", err)
			}
			if err := rotating.RewrapDataKey(ctx, user.ID); err != nil {
				t.Fatalf("RewrapDataKey: %v", err)
			}
			if fake.Calls("Encrypt", "new") <= encBefore {
				t.Error("the data key was not wrapped again under the new key (no Encrypt call)")
			}
			if id, err := rotating.KEKID(moved); err != nil || id != tc.to.ID() {
				t.Errorf("re-wrapped envelope names %q, %v; want %q", id, err, tc.to.ID())
			}
			stored, err := store.DataKeys().Get(ctx, user.ID)
			if err != nil || stored.KEKID != tc.to.ID() {
				t.Errorf("stored data key wrapped by %q, %v; want %q", stored.KEKID, err, tc.to.ID())
			}
			after, err := seal.New(seal.Config{KEK: tc.to, DataKeys: keys})
			if err != nil {
				t.Fatal(err)
			}
			if tok, err := after.Open(ctx, b, moved); err != nil || tok.Reveal() != "api-secret" {
				t.Errorf("the re-wrapped envelope with the new key alone: %v", err)
			}
			if _, err := after.Open(ctx, b, sealed); err == nil {
				t.Error("the old envelope opened without the old key")
			}
		})
	}
}

func TestKMSFailuresAreCoded(t *testing.T) {
	t.Parallel()
	fake := kmstest.New("a", "off")
	ctx := context.Background()
	off := mustKEK(t, fake.URL, "off")
	fake.Disable("off")
	if _, err := off.Wrap(ctx, dek(), nil); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Wrap with a disabled key = %v, want EUNAVAILABLE", err)
	}
	if _, err := mustKEK(t, fake.URL, "missing").Wrap(ctx, dek(), nil); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Wrap with a missing key = %v, want EUNAVAILABLE", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := mustKEK(t, fake.URL, "a").Wrap(canceled, dek(), nil); coach.ErrorCode(err) != coach.ECANCELED {
		t.Errorf("Wrap with a canceled context = %v, want ECANCELED", err)
	}
	url := fake.URL
	fake.Close()
	_, err := mustKEK(t, url, "a").Wrap(ctx, dek(), nil)
	if coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Wrap with KMS gone = %v, want EUNAVAILABLE", err)
	}
	if msg := coach.ErrorMessage(err); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "kkkk") {
		t.Errorf("the message shows the cause: %q", msg)
	}
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	c := client("http://127.0.0.1:1")
	for _, tc := range []struct {
		field string
		cfg   awskms.Config
	}{
		{"Config.Client", awskms.Config{KeyID: "a"}},
		{"Config.KeyID", awskms.Config{Client: c}},
		{"Config.KeyID", awskms.Config{Client: c, KeyID: strings.Repeat("k", 201)}},
	} {
		_, err := awskms.New(tc.cfg)
		servicetest.RefusesField(t, err, tc.field)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*awskms.KEK)(nil)})
}
