// Package seal encrypts broker credentials at rest: envelope encryption with AES-256-GCM under a
// data-encryption key (DEK), the DEK wrapped by a key-encryption key (KEK) that may live in a
// KMS.
//
// A sealed value is a self-contained, versioned envelope (see Envelope): the id of the KEK, the
// DEK wrapped by that KEK, the nonce and the ciphertext. Opening needs only the envelope, the KEK
// it names and the Binding it was sealed for. Because the wrapped DEK travels in the envelope,
// no key table has to be kept in step with the connections that use it; a Sealer given a
// DataKeys store additionally reuses one DEK per user (the per-user data key), and without one
// each envelope gets a fresh DEK.
//
// The additional authenticated data binds the ciphertext to the user, the broker, the connection
// and the purpose (access or refresh token): an envelope sealed for connection A does not open as
// connection B, nor as A's other token. KEK rotation re-wraps the DEK only (Sealer.Rewrap): the
// nonce and the ciphertext are carried over byte for byte.
//
// Secrets never reach a log or an error message: Token (a plaintext secret) and Sealed (an
// envelope) render as "[redacted]" and "[sealed]" through fmt, log/slog and encoding/json, and no
// error of this package quotes either.
package seal
