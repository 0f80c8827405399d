// Package hmac signs and verifies service-to-service HTTP requests (the core and workers calling
// the AI coach service).
//
// A signed request carries four headers:
//
//	X-Coach-Key-Id     which shared key signed it (several may be active, for rotation)
//	X-Coach-Timestamp  Unix seconds when it was signed
//	X-Coach-Nonce      16 random bytes, base64url, never reused within the replay window
//	X-Coach-Signature  base64url(HMAC-SHA256(key, canonical string))
//
// The canonical string is, joined by "\n": the method, the host, the escaped path, the query
// exactly as sent (parameters and repeated values in their order: "amount=1&amount=1000" and
// "amount=1000&amount=1" sign differently, since a handler reading the last value would act on
// another amount), the Content-Type header, the subject (X-Coach-Subject: the user an internal
// request acts for, or nothing), the timestamp, the nonce, and the hex SHA-256 of the body. So a
// signed request cannot be redirected to another host, path or method, nor have its query,
// content type, subject or body changed.
//
// Verify accepts a request when the key id is active, the timestamp is within MaxSkew (±5 minutes
// by default) of its clock, the signature matches (compared in constant time), and the nonce was
// not used before (remembered through a storage.Nonces for as long as its timestamp is accepted). Otherwise it answers
// 401 with a JSON body {"code":"unauthorized","reason":R} whose reason is one of the Reason*
// constants, which say what class of check failed and nothing about keys or expected values.
package hmac
