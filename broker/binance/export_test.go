package binance

// DecodeRestrictions exposes decodeRestrictions to the external tests.
var DecodeRestrictions = decodeRestrictions
