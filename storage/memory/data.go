package memory

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// data is everything a Store holds. Only the methods of repos touch it, under the store's lock.
// Rows of a user live in that user's bucket; the global maps index what must be unique across
// users (as primary keys and unique columns are in a database) or found without a user id.
type data struct {
	users map[string]*bucket // by user id; a bucket may exist before its user row

	emails        map[string]string // normalized email → user id
	sessionTokens map[string]*coach.Session
	owners        map[ownerKey]string // (kind, id) → user id of sessions, connections, rules, digests, tags, audit rows, trades, runs
	events        map[string]*coach.Event
	undelivered   map[string]*coach.Event
	horizon       time.Time        // events before it have been pruned
	leases        map[string]lease // user id → the dispatcher lease on the user's events (Events.Claim)

	candles     map[seriesKey][]coach.Candle // each in OpenTime order
	deadLetters map[string]storage.DeadLetter
	erasures    []storage.Erasure // the pseudonymized records of erasures, in the order stored

	seq uint64 // insertion counter, the tie-break of "oldest first" orders
}

// ownerKey names an entity whose id is unique store-wide.
type ownerKey struct {
	kind byte
	id   string
}

// Kinds of ownerKey.
const (
	kindSession byte = iota + 1
	kindConnection
	kindRule
	kindDigest
	kindTag
	kindAudit
	kindTrade
	kindRun
	kindExport
	kindWebhook
	kindDelivery
)

func newData() *data {
	return &data{
		users:         make(map[string]*bucket),
		emails:        make(map[string]string),
		sessionTokens: make(map[string]*coach.Session),
		owners:        make(map[ownerKey]string),
		events:        make(map[string]*coach.Event),
		undelivered:   make(map[string]*coach.Event),
		leases:        make(map[string]lease),
		candles:       make(map[seriesKey][]coach.Candle),
		deadLetters:   make(map[string]storage.DeadLetter),
	}
}

// bucket holds one user's rows.
type bucket struct {
	user *coach.User // nil until the user row is created

	answers answerBook // the trader's disputes and notes (answers.go)

	sessions    map[string]*coach.Session
	connections map[string]*connRec
	trades      tradeBook
	tags        map[string][]coach.BiasTag // by trade id, each in label order: current tags at their newest revision
	// tagRevs holds by trade id and tag id the revisions older than a current tag's newest one,
	// and every revision of a withdrawn tag, oldest first.
	tagRevs     map[string]map[string][]coach.BiasTag
	rules       map[string]*ruleRec
	digests     map[string]*coach.Digest
	digestStart map[coach.Date]string // period start → digest id
	audit       []coach.Audit         // append order
	events      []*coach.Event        // id order
	lastEventID string                // the user's newest event id ever, pruned or not
	checkpoints map[string]map[string]string
	runs        map[string]*coach.SimulationRun // simulation runs by id
	exports     map[string]*coach.Export        // exports by id
	dataKey     *storage.DataKey                // the user's wrapped data key, nil when none
	hooks       hookBook                        // webhook endpoints and deliveries (webhooks.go)
	ruleBreaks  map[[2]string]bool              // (rule id, trade id) of rule.broken events appended
}

func newBucket() *bucket {
	return &bucket{
		sessions:    make(map[string]*coach.Session),
		connections: make(map[string]*connRec),
		trades:      newTradeBook(),
		tags:        make(map[string][]coach.BiasTag),
		tagRevs:     make(map[string]map[string][]coach.BiasTag),
		rules:       make(map[string]*ruleRec),
		digests:     make(map[string]*coach.Digest),
		digestStart: make(map[coach.Date]string),
		checkpoints: make(map[string]map[string]string),
		runs:        make(map[string]*coach.SimulationRun),
		exports:     make(map[string]*coach.Export),
		hooks:       newHookBook(),
		ruleBreaks:  make(map[[2]string]bool),
	}
}

// bucketFor returns userID's bucket, creating it (undoably) when absent.
func (d *data) bucketFor(userID string, u *undoLog) *bucket {
	b, ok := d.users[userID]
	if !ok {
		b = newBucket()
		d.users[userID] = b
		u.add(func() { delete(d.users, userID) })
	}
	return b
}

// nextSeq returns a fresh insertion number. Numbers are never reused, even after a rollback.
func (d *data) nextSeq() uint64 {
	d.seq++
	return d.seq
}

// setOwner records that the entity (kind, id) belongs to userID.
func (d *data) setOwner(kind byte, id, userID string, u *undoLog) {
	k := ownerKey{kind, id}
	d.owners[k] = userID
	u.add(func() { delete(d.owners, k) })
}

// dropOwner forgets the entity (kind, id).
func (d *data) dropOwner(kind byte, id string, u *undoLog) {
	k := ownerKey{kind, id}
	if old, ok := d.owners[k]; ok {
		delete(d.owners, k)
		u.add(func() { d.owners[k] = old })
	}
}

// taken reports whether an entity (kind, id) exists.
func (d *data) taken(kind byte, id string) bool {
	_, ok := d.owners[ownerKey{kind, id}]
	return ok
}

func cloneRaw(b json.RawMessage) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(bytes.Clone(b))
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := t.UTC()
	return &c
}

// checkUserID rejects a user id no store could hold.
func checkUserID(userID string) error {
	if !coach.ValidID(userID) {
		return coach.Errorf(coach.EINVALID, "userId: malformed")
	}
	return nil
}

// notFound is the error for a row that does not exist or belongs to another user.
func notFound(what, id string) error {
	return coach.Errorf(coach.ENOTFOUND, "%s %s: not found", what, clipKey(id))
}
