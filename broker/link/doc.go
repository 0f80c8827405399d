// Package link connects a user's broker accounts and opens them again for imports.
//
// Linker runs the connect flows: Coinbase's OAuth2 authorization code with PKCE (S256) and a
// state that is bound to the user, expires and works once (the pending link lives in a
// storage.Cache, its PKCE verifier sealed; a storage.Nonces marks the state spent), and Binance's
// API key, accepted only after a signed test call shows it is read-only. Either way the
// credentials are sealed (broker/seal: AES-256-GCM under a data key wrapped by a KEK, the
// additional data binding user, broker, connection and purpose), and the connection is stored
// with its broker_linked audit row in one transaction. Nothing is stored when a flow is refused.
//
// Brokers opens the broker client of a stored connection for the import job: it unseals the
// connection's credentials, and a Coinbase client persists each refresh-token rotation through
// storage.Connections.Rotate (coinbase.StoredTokens).
//
// How each broker's credentials are stored: Coinbase's access token in AccessEnc and refresh token
// in RefreshEnc (coinbase.SealTokens); Binance's API key in AccessEnc and its secret in RefreshEnc
// (binance.SealKey). No token, key or secret appears in an error or a log line of this package.
package link
