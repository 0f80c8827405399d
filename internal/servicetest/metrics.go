package servicetest

import (
	"strings"
	"sync"
	"time"
)

// Metrics is a coach.Metrics that remembers what it was given, for tests that check what a
// service emits. It is safe for concurrent use.
type Metrics struct {
	mu     sync.Mutex
	counts map[string]int64
	obs    map[string]int
}

func key(name string, labels []string) string {
	return strings.Join(append([]string{name}, labels...), "|")
}

// Count adds n to the counter of name and labels.
func (m *Metrics) Count(name string, n int64, labels ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[string]int64{}
	}
	m.counts[key(name, labels)] += n
}

// Observe counts one observation of name and labels (the duration is not kept: tests do not
// assert on time).
func (m *Metrics) Observe(name string, _ time.Duration, labels ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.obs == nil {
		m.obs = map[string]int{}
	}
	m.obs[key(name, labels)]++
}

// Counted returns the sum of the counts of name with exactly these labels.
func (m *Metrics) Counted(name string, labels ...string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[key(name, labels)]
}

// Observed returns how many durations of name with exactly these labels were observed.
func (m *Metrics) Observed(name string, labels ...string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.obs[key(name, labels)]
}
