package memory

import "time"

// ttlMap is a map whose entries expire. It is not safe for concurrent use; its owner locks.
// Expired entries are invisible at once and are swept out every sweepEvery writes, so the map
// does not grow with keys nobody reads again.
type ttlMap[V any] struct {
	m      map[string]ttlEntry[V]
	writes int
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

const sweepEvery = 1024

func newTTLMap[V any]() ttlMap[V] { return ttlMap[V]{m: make(map[string]ttlEntry[V])} }

// get returns the live value of key at now.
func (t *ttlMap[V]) get(key string, now time.Time) (V, bool) {
	e, ok := t.m[key]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// set stores v under key until expires.
func (t *ttlMap[V]) set(key string, v V, expires time.Time, now time.Time) {
	t.m[key] = ttlEntry[V]{v: v, expires: expires}
	t.writes++
	if t.writes >= sweepEvery {
		t.writes = 0
		for k, e := range t.m {
			if !now.Before(e.expires) {
				delete(t.m, k)
			}
		}
	}
}

// del removes key.
func (t *ttlMap[V]) del(key string) { delete(t.m, key) }
