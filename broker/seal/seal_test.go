package seal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
)

func mustKEK(t testing.TB, b byte) *seal.LocalKEK {
	t.Helper()
	k, err := seal.NewLocalKEK(bytes.Repeat([]byte{b}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSealer(t testing.TB, cfg seal.Config) *seal.Sealer {
	t.Helper()
	s, err := seal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var bindA = seal.Binding{UserID: "u1", Broker: "coinbase", ConnectionID: "connA", Purpose: seal.PurposeAccess}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		keys seal.DataKeys
	}{
		{"fresh key per envelope", nil},
		{"per-user data key", seal.NewMemoryDataKeys()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := mustSealer(t, seal.Config{KEK: mustKEK(t, 1), DataKeys: tc.keys})
			sealed, err := s.Seal(ctx, bindA, seal.NewToken("at-secret-123"))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(sealed.Bytes(), []byte("at-secret-123")) {
				t.Fatal("envelope contains the plaintext")
			}
			got, err := s.Open(ctx, bindA, sealed)
			if err != nil {
				t.Fatal(err)
			}
			if got.Reveal() != "at-secret-123" {
				t.Errorf("Open = %q, want the sealed secret", got.Reveal())
			}
		})
	}
}

func TestOpenFailsUnderAnotherBinding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustSealer(t, seal.Config{KEK: mustKEK(t, 1), DataKeys: seal.NewMemoryDataKeys()})
	sealed, err := s.Seal(ctx, bindA, seal.NewToken("at-secret"))
	if err != nil {
		t.Fatal(err)
	}
	// u2 needs a data key of its own in the store, so that the failure is the binding's.
	if _, err := s.Seal(ctx, seal.Binding{UserID: "u2", Broker: "coinbase", ConnectionID: "connA", Purpose: seal.PurposeAccess}, seal.NewToken("x")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		b    seal.Binding
	}{
		{"another connection", seal.Binding{UserID: "u1", Broker: "coinbase", ConnectionID: "connB", Purpose: seal.PurposeAccess}},
		{"another user", seal.Binding{UserID: "u2", Broker: "coinbase", ConnectionID: "connA", Purpose: seal.PurposeAccess}},
		{"another broker", seal.Binding{UserID: "u1", Broker: "binance", ConnectionID: "connA", Purpose: seal.PurposeAccess}},
		{"another purpose", seal.Binding{UserID: "u1", Broker: "coinbase", ConnectionID: "connA", Purpose: seal.PurposeRefresh}},
		// Length-prefixed fields: shifting characters between fields does not give the same AAD.
		{"shifted fields", seal.Binding{UserID: "u1", Broker: "coinbas", ConnectionID: "econnA", Purpose: seal.PurposeAccess}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Open(ctx, tc.b, sealed)
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Open under %+v: err = %v, want EINVALID", tc.b, err)
			}
		})
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustSealer(t, seal.Config{KEK: mustKEK(t, 1)})
	sealed, err := s.Seal(ctx, bindA, seal.NewToken("at-secret"))
	if err != nil {
		t.Fatal(err)
	}
	raw := sealed.Bytes()
	for i := range raw {
		bad := sealed.Bytes()
		bad[i] ^= 0x01
		if tok, err := s.Open(ctx, bindA, seal.SealedOf(bad)); err == nil {
			t.Fatalf("flipping byte %d: Open succeeded with %d bytes", i, len(tok.Reveal()))
		}
	}
	for _, n := range []int{0, 1, 2, len(raw) - 1} {
		if _, err := s.Open(ctx, bindA, seal.SealedOf(raw[:n])); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("truncated to %d bytes: err = %v, want EINVALID", n, err)
		}
	}
}

func TestEnvelopeLayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kek := mustKEK(t, 7)
	s := mustSealer(t, seal.Config{KEK: kek})
	sealed, err := s.Seal(ctx, bindA, seal.NewToken("abc"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := seal.Decode(sealed)
	if err != nil {
		t.Fatal(err)
	}
	if env.Version != seal.Version1 || env.KEKID != kek.ID() || len(env.Nonce) != 12 || len(env.Ciphertext) != 3+16 {
		t.Errorf("envelope = version %d kek %q nonce %d ciphertext %d bytes", env.Version, env.KEKID, len(env.Nonce), len(env.Ciphertext))
	}
	if raw := sealed.Bytes(); raw[0] != 1 || int(raw[1]) != len(kek.ID()) || string(raw[2:2+len(kek.ID())]) != kek.ID() {
		t.Errorf("header bytes do not follow the documented layout")
	}
	if !env.Encode().Equal(sealed) {
		t.Error("Decode then Encode does not give the same bytes")
	}
	if _, err := seal.Decode(seal.SealedOf(append([]byte{2}, sealed.Bytes()[1:]...))); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unknown version: err = %v, want EINVALID", err)
	}
}

func TestRewrapRotatesKEKWithoutTouchingCiphertext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k1, k2 := mustKEK(t, 1), mustKEK(t, 2)
	if k1.ID() == k2.ID() {
		t.Fatal("two keys share an id")
	}
	old := mustSealer(t, seal.Config{KEK: k1})
	sealed, err := old.Seal(ctx, bindA, seal.NewToken("refresh-xyz"))
	if err != nil {
		t.Fatal(err)
	}
	rotated := mustSealer(t, seal.Config{KEK: k2, Previous: []seal.KEK{k1}})
	if need, err := rotated.NeedsRewrap(sealed); err != nil || !need {
		t.Fatalf("NeedsRewrap = %v, %v; want true", need, err)
	}
	// The old envelope still opens during the rotation.
	if tok, err := rotated.Open(ctx, bindA, sealed); err != nil || tok.Reveal() != "refresh-xyz" {
		t.Fatalf("Open old envelope after rotation: %v", err)
	}
	re, err := rotated.Rewrap(ctx, bindA.UserID, sealed)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := seal.Decode(sealed)
	after, _ := seal.Decode(re)
	if after.KEKID != k2.ID() {
		t.Errorf("rewrapped KEK id = %q, want %q", after.KEKID, k2.ID())
	}
	if !bytes.Equal(before.Nonce, after.Nonce) || !bytes.Equal(before.Ciphertext, after.Ciphertext) {
		t.Error("Rewrap changed the nonce or the ciphertext")
	}
	if bytes.Equal(before.WrappedDEK, after.WrappedDEK) {
		t.Error("Rewrap kept the old wrapped data key")
	}
	onlyNew := mustSealer(t, seal.Config{KEK: k2})
	if tok, err := onlyNew.Open(ctx, bindA, re); err != nil || tok.Reveal() != "refresh-xyz" {
		t.Fatalf("Open rewrapped envelope with the new KEK alone: %v", err)
	}
	if _, err := onlyNew.Open(ctx, bindA, sealed); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("Open old envelope without its KEK: err = %v, want EINTERNAL (missing key)", err)
	}
	if again, err := rotated.Rewrap(ctx, bindA.UserID, re); err != nil || !again.Equal(re) {
		t.Errorf("Rewrap of an up-to-date envelope changed it (err %v)", err)
	}
	if _, err := rotated.Rewrap(ctx, "u2", sealed); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Rewrap for another user: err = %v, want EINVALID", err)
	}
}

func TestPerUserDataKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k1, k2 := mustKEK(t, 1), mustKEK(t, 2)
	keys := seal.NewMemoryDataKeys()
	s := mustSealer(t, seal.Config{KEK: k1, DataKeys: keys})
	wrapped := func(sealed seal.Sealed) []byte {
		env, err := seal.Decode(sealed)
		if err != nil {
			t.Fatal(err)
		}
		return env.WrappedDEK
	}
	a1, _ := s.Seal(ctx, bindA, seal.NewToken("one"))
	a2, _ := s.Seal(ctx, seal.Binding{UserID: "u1", Broker: "binance", ConnectionID: "c9", Purpose: seal.PurposeAPISecret}, seal.NewToken("two"))
	b1, _ := s.Seal(ctx, seal.Binding{UserID: "u2", Broker: "coinbase", ConnectionID: "c3", Purpose: seal.PurposeAccess}, seal.NewToken("three"))
	if !bytes.Equal(wrapped(a1), wrapped(a2)) {
		t.Error("two envelopes of one user carry different data keys")
	}
	if bytes.Equal(wrapped(a1), wrapped(b1)) {
		t.Error("two users share a data key")
	}

	rotated := mustSealer(t, seal.Config{KEK: k2, Previous: []seal.KEK{k1}, DataKeys: keys})
	if err := rotated.RewrapDataKey(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	wk, err := keys.Get(ctx, "u1")
	if err != nil || wk.KEKID != k2.ID() {
		t.Fatalf("stored key after RewrapDataKey: %v %v", wk.KEKID, err)
	}
	a3, err := rotated.Seal(ctx, bindA, seal.NewToken("four"))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := rotated.KEKID(a3); id != k2.ID() {
		t.Errorf("new envelope KEK = %q, want %q", id, k2.ID())
	}
	for _, tc := range []struct {
		sealed seal.Sealed
		b      seal.Binding
		want   string
	}{{a1, bindA, "one"}, {a3, bindA, "four"}} {
		tok, err := rotated.Open(ctx, tc.b, tc.sealed)
		if err != nil || tok.Reveal() != tc.want {
			t.Errorf("Open = %v; want %q", err, tc.want)
		}
	}
	if err := rotated.RewrapDataKey(ctx, "nobody"); err != nil {
		t.Errorf("RewrapDataKey of a user without a key: %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	k := mustKEK(t, 1)
	for _, tc := range []struct {
		name string
		cfg  seal.Config
	}{
		{"no KEK", seal.Config{}},
		{"duplicate id", seal.Config{KEK: k, Previous: []seal.KEK{mustKEK(t, 1)}}},
		{"nil previous", seal.Config{KEK: k, Previous: []seal.KEK{nil}}},
	} {
		if _, err := seal.New(tc.cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", tc.name, err)
		}
	}
	if _, err := seal.NewLocalKEK(make([]byte, 16)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("16-byte KEK: err = %v, want EINVALID", err)
	}
	s := mustSealer(t, seal.Config{KEK: k})
	if _, err := s.Seal(context.Background(), bindA, seal.Token{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("empty secret: err = %v, want EINVALID", err)
	}
	if _, err := s.Seal(context.Background(), seal.Binding{UserID: "u1"}, seal.NewToken("x")); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("incomplete binding: err = %v, want EINVALID", err)
	}
}

func TestLocalKEKFromEnv(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	secretB64 := base64.StdEncoding.EncodeToString(key)
	want, _ := seal.NewLocalKEK(key)

	t.Setenv("COACH_TEST_KEK", secretB64)
	k, err := seal.LocalKEKFromEnv("COACH_TEST_KEK")
	if err != nil {
		t.Fatal(err)
	}
	if k.ID() != want.ID() {
		t.Errorf("ID = %q, want %q", k.ID(), want.ID())
	}
	t.Setenv("COACH_TEST_KEK", base64.RawURLEncoding.EncodeToString(key))
	if k, err := seal.LocalKEKFromEnv("COACH_TEST_KEK"); err != nil || k.ID() != want.ID() {
		t.Errorf("unpadded URL base64: %v", err)
	}

	for _, v := range []string{"", "not base64 at all!", base64.StdEncoding.EncodeToString(key[:31])} {
		t.Setenv("COACH_TEST_KEK", v)
		_, err := seal.LocalKEKFromEnv("COACH_TEST_KEK")
		if coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("value %q: err = %v, want EINVALID", v, err)
		}
		if v != "" && bytes.Contains([]byte(err.Error()), []byte(v)) {
			t.Errorf("error %q quotes the variable's value", err)
		}
	}
	gen, err := seal.NewKeyBase64()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("COACH_TEST_KEK", gen)
	if _, err := seal.LocalKEKFromEnv("COACH_TEST_KEK"); err != nil {
		t.Errorf("NewKeyBase64 output rejected: %v", err)
	}
}

func TestLocalKEKUnwrapChecksAAD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := mustKEK(t, 3)
	dek := bytes.Repeat([]byte{5}, 32)
	w, err := k.Wrap(ctx, dek, []byte("user-a"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.Unwrap(ctx, w, []byte("user-a"))
	if err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("Unwrap = %v", err)
	}
	if _, err := k.Unwrap(ctx, w, []byte("user-b")); err == nil {
		t.Error("Unwrap with another aad succeeded")
	}
	if diff := cmp.Diff("local-", k.ID()[:6]); diff != "" {
		t.Errorf("id prefix (-want +got):\n%s", diff)
	}
}

func FuzzOpen(f *testing.F) {
	ctx := context.Background()
	s := mustSealer(f, seal.Config{KEK: mustKEK(f, 1)})
	good, err := s.Seal(ctx, bindA, seal.NewToken("seed-token"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte{1})
	f.Add([]byte{1, 3, 'a', 'b', 'c', 0, 1, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := s.Open(ctx, bindA, seal.SealedOf(b))
		if err == nil && !bytes.Equal(b, good.Bytes()) && tok.Reveal() != "seed-token" {
			t.Fatalf("a forged envelope opened")
		}
		if err != nil && coach.ErrorCode(err) != coach.EINVALID {
			// An unknown KEK id is the only other answer, a deployment fault.
			if env, derr := seal.Decode(seal.SealedOf(b)); derr != nil || env.KEKID == mustKEK(t, 1).ID() {
				t.Fatalf("err = %v", err)
			}
		}
		if env, err := seal.Decode(seal.SealedOf(b)); err == nil && !bytes.Equal(env.Encode().Bytes(), b) {
			t.Fatalf("Decode/Encode is not a round trip")
		}
	})
}

// After a KEK rotation, a Sealer with a data-key store seals under the current KEK even before
// RewrapDataKey runs, so its envelopes still open once the retired KEK is removed.
func TestSealAfterRotationUsesTheCurrentKEK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k1, k2 := mustKEK(t, 1), mustKEK(t, 2)
	keys := seal.NewMemoryDataKeys()
	before, err := mustSealer(t, seal.Config{KEK: k1, DataKeys: keys}).Seal(ctx, bindA, seal.NewToken("old"))
	if err != nil {
		t.Fatal(err)
	}

	rotated := mustSealer(t, seal.Config{KEK: k2, Previous: []seal.KEK{k1}, DataKeys: keys})
	after, err := rotated.Seal(ctx, bindA, seal.NewToken("new"))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := rotated.KEKID(after); id != k2.ID() {
		t.Fatalf("envelope sealed after the rotation names KEK %q, want the current %q", id, k2.ID())
	}
	if wk, err := keys.Get(ctx, bindA.UserID); err != nil || wk.KEKID != k2.ID() {
		t.Errorf("stored data key after Seal: KEK %q (%v), want %q", wk.KEKID, err, k2.ID())
	}
	// Both envelopes keep opening while k1 is still configured ...
	if tok, err := rotated.Open(ctx, bindA, before); err != nil || tok.Reveal() != "old" {
		t.Errorf("open the pre-rotation envelope: %v", err)
	}
	// ... and the new one opens with the retired KEK gone.
	retired := mustSealer(t, seal.Config{KEK: k2, DataKeys: keys})
	tok, err := retired.Open(ctx, bindA, after)
	if err != nil || tok.Reveal() != "new" {
		t.Fatalf("open after removing the retired KEK: %v", err)
	}
	again, err := retired.Seal(ctx, bindA, seal.NewToken("again"))
	if err != nil {
		t.Fatalf("seal after removing the retired KEK: %v", err)
	}
	if tok, err := retired.Open(ctx, bindA, again); err != nil || tok.Reveal() != "again" {
		t.Errorf("round trip after removing the retired KEK: %v", err)
	}
}
