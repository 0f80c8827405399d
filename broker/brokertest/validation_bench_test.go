package brokertest

import "testing"

// BenchmarkNewValidation measures building one seed's market, persona and null trader (60 days,
// four symbols of minute bars).
func BenchmarkNewValidation(b *testing.B) {
	b.ReportAllocs()
	seed := int64(0)
	for b.Loop() {
		seed++
		if _, err := NewValidation(seed, ValidationOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
