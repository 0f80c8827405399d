// Package awskms is a seal.KEK held in AWS KMS: the key-encryption key that wraps the per-user
// data keys of sealed broker credentials never leaves KMS. Wrap is KMS Encrypt of the data key
// and Unwrap is KMS Decrypt, each with the envelope's additional authenticated data as the
// encryption context, so a wrapped key opens only for the binding it was wrapped for.
//
// Rotation: KMS's automatic rotation keeps the key's id and decrypts what older key material
// encrypted, so nothing needs re-wrapping. Moving to another KMS key (or from the local key to
// KMS) is the seal package's rotation: a Sealer whose KEK is the new key and whose Previous holds
// the old one opens every envelope, and Sealer.Rewrap / RewrapDataKey re-wrap the data keys (a
// Decrypt under the old key, an Encrypt under the new one; the credentials' ciphertexts stay
// as they are).
//
// Errors follow the module's model (formatError): a wrapped key that does not open is EINVALID,
// a denied key EFORBIDDEN, throttling ERATELIMITED, KMS unreachable or the key disabled or
// pending deletion EUNAVAILABLE; no message carries KMS's text or any key material.
package awskms
