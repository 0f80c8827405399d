package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
)

// drillLog is where drills write what they checked, besides the test log: .ci/run prints it after
// the tests, so a passing run still shows each drill's checks (COACH_DRILL_LOG overrides it).
var drillLog = struct {
	sync.Mutex
	path string
}{path: filepath.Join("..", "..", "..", ".artifacts", "drills.log")}

// drillf records one check a drill made: in the test's log, and appended to the drill log with
// the test's name and the time.
func drillf(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	drillLog.Lock()
	defer drillLog.Unlock()
	path := drillLog.path
	if p := os.Getenv("COACH_DRILL_LOG"); p != "" {
		path = p
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Logf("drill log: %v", err)
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Logf("drill log: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s: %s\n", time.Now().UTC().Format(time.TimeOnly), t.Name(), line)
}

// drillHost is what a drill starts its stacks from: the binary, built once; the environment of a
// fresh Postgres schema (migrated), a Redis and a fake Binance; and the test's own store on that
// schema, whose connections carry an application_name of their own (never the stacks').
type drillHost struct {
	t      *testing.T
	bin    string
	env    []string
	pgURL  string // REFHOST_POSTGRES_URL without application_name
	app    string // the prefix of every stack's application_name, unique to the test
	key    []byte
	db     *postgres.DB
	bn     *brokertest.Binance
	procs  []*process
	procMu sync.Mutex
}

// newDrillHost builds the binary, migrates a fresh schema and opens the test's store on it. extra
// environment entries (KEY=value) are added for every stack.
func newDrillHost(t *testing.T, bn *brokertest.Binance, redisAddr string, redisDB int, extra ...string) *drillHost {
	t.Helper()
	schema := postgrestest.RandomTestSchema(t)
	t.Cleanup(func() { postgrestest.DropTestSchema(t, postgrestest.TestURL(), schema) })
	h := &drillHost{t: t, pgURL: postgrestest.TestURL(), app: "drill_" + schema, key: bytes.Repeat([]byte{0x5a}, 32), bn: bn}
	h.env = append(os.Environ(), "REFHOST_KEK="+strings.Repeat("4b", 32), "REFHOST_BINANCE_API_URL="+bn.URL(),
		"REFHOST_POSTGRES_SCHEMA="+schema, "REFHOST_REDIS_ADDR="+redisAddr, fmt.Sprintf("REFHOST_REDIS_DB=%d", redisDB),
		"REFHOST_INTERNAL_KEY="+hex.EncodeToString(h.key), "REFHOST_ERASURE_KEY="+strings.Repeat("e7", 32),
		"REFHOST_EDGE_SECRET="+strings.Repeat("ed", 32), "REFHOST_LOG_LEVEL=debug")
	h.env = append(h.env, extra...)
	h.bin = buildBinary(t)
	migrate := exec.Command(h.bin, "migrate")
	migrate.Env = append(slices.Clone(h.env), "REFHOST_POSTGRES_URL="+h.stackURL("migrate"))
	if out, err := migrate.CombinedOutput(); err != nil || !strings.Contains(string(out), "up to date") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	db, err := postgres.Open(context.Background(), postgres.Config{URL: h.pgURL, Schema: schema, NoMigrate: true, MaxConns: 2,
		ApplicationName: "test_" + schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	h.db = db
	return h
}

// stackURL is the Postgres URL a stack connects with: its application_name is the test's prefix
// and the stack's name, so a drill finds (and ends) that stack's backends and no other test's.
func (h *drillHost) stackURL(stack string) string {
	sep := "?"
	if strings.Contains(h.pgURL, "?") {
		sep = "&"
	}
	return h.pgURL + sep + "application_name=" + h.app + "_" + stack
}

// start runs one stack on a loopback port; an edge calls core at coreURL. extra environment
// entries override the host's.
func (h *drillHost) start(stack, coreURL string, extra ...string) *process {
	h.t.Helper()
	env := append(slices.Clone(h.env), "REFHOST_POSTGRES_URL="+h.stackURL(stack))
	if coreURL != "" {
		env = append(env, "REFHOST_CORE_URL="+coreURL)
	}
	p := startStack(h.t, h.bin, stack, append(env, extra...), "-"+stack+"-addr", "127.0.0.1:0")
	h.procMu.Lock()
	h.procs = append(h.procs, p)
	h.procMu.Unlock()
	return p
}

// logs are every stack's logs, for a failure's message.
func (h *drillHost) logs() string {
	h.procMu.Lock()
	defer h.procMu.Unlock()
	var b strings.Builder
	for _, p := range h.procs {
		fmt.Fprintf(&b, "--- %s %s (exited: %v)\n%s\n", p.cmd.Args[1], p.addr, p.exitedNow(), tail(p.logs.String(), 40))
	}
	return b.String()
}

// exitedNow reports whether the process has ended.
func (p *process) exitedNow() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// drillPassword is every drill user's password.
const drillPassword = "a drill password, long enough"

// user creates a user through core (with drillPassword's argon2id hash) and returns it with a
// client signed for it.
func (h *drillHost) user(core, email string) (coach.User, *http.Client) {
	h.t.Helper()
	salt := []byte("drill-salt-16byt")
	phc := fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte(drillPassword), salt, 2, 19456, 1, 32)))
	var u coach.User
	if code := doJSON(h.t, signedClient(h.t, h.key, ""), "POST", core+"/internal/users", map[string]string{"email": email, "passwordHash": phc}, &u); code != http.StatusCreated {
		h.t.Fatalf("create %s: %d", email, code)
	}
	return u, signedClient(h.t, h.key, u.ID)
}

// connect links the fake Binance's read-only key for the user of c; core enqueues its import.
// status is core's answer (201 when the link was made and the import enqueued).
func (h *drillHost) connect(c *http.Client, core string) (conn coach.BrokerConnection, status int) {
	h.t.Helper()
	h.bn.SetKeyPermissions(brokertest.ReadOnlyKey())
	status = doJSON(h.t, c, "POST", core+"/brokers/binance", map[string]any{"apiKey": h.bn.Config().APIKey, "secretKey": h.bn.Config().SecretKey}, &conn)
	return conn, status
}

// imports are the import.progress payloads of a connection in the store, oldest first.
func (h *drillHost) imports(userID, connectionID string) []coach.ImportProgressPayload {
	h.t.Helper()
	evs := h.events(userID)
	var out []coach.ImportProgressPayload
	for _, e := range evs {
		var p coach.ImportProgressPayload
		if e.Type == coach.EventImportProgress && json.Unmarshal(e.Payload, &p) == nil && p.ConnectionID == connectionID {
			out = append(out, p)
		}
	}
	return out
}

// events are every event of the user in the store, in id order.
func (h *drillHost) events(userID string) []coach.Event {
	h.t.Helper()
	var out []coach.Event
	after := ""
	for {
		page, err := h.db.Events().Since(context.Background(), userID, after, storage.MaxLimit)
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < storage.MaxLimit {
			return out
		}
		after = page[len(page)-1].ID
	}
}

// phases counts the payloads of each phase.
func phases(ps []coach.ImportProgressPayload) map[string]int {
	n := map[string]int{}
	for _, p := range ps {
		n[p.Phase]++
	}
	return n
}

// fillCheck compares a user's stored fills in [from, to) with the fake Binance's fills there.
type fillCheck struct {
	broker, stored, duplicates, missing, extra int
}

func (f fillCheck) String() string {
	return fmt.Sprintf("%d fills stored, %d duplicates, %d missing, %d not the broker's, vs the broker's %d",
		f.stored, f.duplicates, f.missing, f.extra, f.broker)
}

// ok reports whether the store holds exactly the broker's fills, each once.
func (f fillCheck) ok() bool {
	return f.duplicates == 0 && f.missing == 0 && f.extra == 0 && f.stored == f.broker && f.broker > 0
}

// checkFills compares by broker trade id and side (the two sides of a self-trade share an id).
func (h *drillHost) checkFills(userID string, from, to time.Time) fillCheck {
	h.t.Helper()
	stored, err := storage.ListAll(context.Background(), h.db.Trades(), userID, storage.TradeFilter{From: from, To: to})
	if err != nil {
		h.t.Fatal(err)
	}
	want := map[string]bool{}
	var fc fillCheck
	for _, tr := range h.bn.Trades() {
		if !tr.TS.Before(from) && tr.TS.Before(to) {
			want[string(tr.Symbol)+":"+tr.ExchangeTradeID+":"+string(tr.Side)] = true
		}
	}
	fc.broker = len(want)
	got := map[string]int{}
	for _, tr := range stored {
		got[string(tr.Symbol)+":"+tr.ExchangeTradeID+":"+string(tr.Side)]++
	}
	fc.stored = len(stored)
	for k, n := range got {
		if n > 1 {
			fc.duplicates += n - 1
		}
		if !want[k] {
			fc.extra++
		}
	}
	for k := range want {
		if got[k] == 0 {
			fc.missing++
		}
	}
	return fc
}
