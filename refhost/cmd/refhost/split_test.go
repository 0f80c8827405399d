package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/s3/s3test"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	"github.com/tradecoach/coach/transport/hmac"
)

// process is one stack of the binary running as its own process.
type process struct {
	cmd    *exec.Cmd
	addr   string
	logs   *lockedBuffer
	exited chan struct{} // closed once the process has ended and been waited for
	err    error         // what Wait returned, once exited is closed
	killed atomic.Bool

	mu        sync.Mutex
	listening map[string]string // server name → URL, as the process printed them
}

// serverURL is the URL the process printed for its server name (the stack's own, or another such
// as "edge-metrics"), waiting up to a minute for the line.
func (p *process) serverURL(tb testing.TB, name string) string {
	tb.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		p.mu.Lock()
		u := p.listening[name]
		p.mu.Unlock()
		if u != "" {
			return u
		}
	}
	tb.Fatalf("%s printed no address for %s", p.addr, name)
	return ""
}

// kill ends the process with SIGKILL (a crash: nothing drains) and waits until it is gone.
func (p *process) kill(t testing.TB) {
	t.Helper()
	p.killed.Store(true)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill %s: %v", p.addr, err)
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s still runs 30s after SIGKILL", p.addr)
	}
}

// buildBinary builds refhost once into the test's temporary directory.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "refhost")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=go1.27.3")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startStack runs `refhost <stack>` with env and waits for the address it prints (the edge's, for
// all; serverURL has the others).
func startStack(t testing.TB, bin, stack string, env []string, args ...string) *process {
	t.Helper()
	p := &process{logs: &lockedBuffer{}, exited: make(chan struct{}), listening: map[string]string{}}
	p.cmd = exec.Command(bin, append([]string{stack}, args...)...)
	p.cmd.Env = env
	p.cmd.Stderr = p.logs
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.killed.Load() {
			return
		}
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
			if p.err != nil {
				t.Errorf("%s exited with %v after SIGINT\n%s", stack, p.err, p.logs)
			}
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			t.Errorf("%s did not shut down within 30s of SIGINT", stack)
		}
	})
	listening := regexp.MustCompile(`: (\S+) listening on (\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				p.mu.Lock()
				p.listening[m[1]] = m[2]
				p.mu.Unlock()
				if m[1] == stack || stack == "all" && m[1] == "edge" {
					found <- m[2]
				}
			}
		}
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	select {
	case p.addr = <-found:
	case <-p.exited:
		t.Fatalf("%s ended before it served (%v):\n%s", stack, p.err, p.logs)
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not start:\n%s", stack, p.logs)
	}
	return p
}

// signedClient signs every request with the internal key for subject.
func signedClient(t testing.TB, key []byte, subject string) *http.Client {
	t.Helper()
	s, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(core.KeyID, key)})
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if subject != "" {
			r.Header.Set(hmac.HeaderSubject, subject)
		}
		return s.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func doJSON(t testing.TB, c *http.Client, method, url string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, raw)
		}
	}
	return res.StatusCode
}

// Every stack as its own process over Postgres, Redis and an S3-compatible server, through issue
// 16's journey (a) (binanceJourney), the worker scoring through the aicoach process.
func TestStacksAsSeparateProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts four processes")
	}
	schema := postgrestest.RandomTestSchema(t)
	t.Cleanup(func() { postgrestest.DropTestSchema(t, postgrestest.TestURL(), schema) })
	redis := asynqtest.MustOpenDB(t)
	s3cfg := s3test.Config(s3test.Server(t))
	key := bytes.Repeat([]byte{0x5a}, 32)
	kek := bytes.Repeat([]byte{0x4b}, 32)
	bn, cb := fakeBinance(t), fakeCoinbase(t)
	env := os.Environ()
	for k, v := range coinbaseEnv(cb) {
		env = append(env, k+"="+v)
	}
	env = append(env, "REFHOST_KEK="+hex.EncodeToString(kek), "REFHOST_BINANCE_API_URL="+bn.URL(),
		"REFHOST_POSTGRES_URL="+postgrestest.TestURL(), "REFHOST_POSTGRES_SCHEMA="+schema,
		"REFHOST_REDIS_ADDR="+redis.Options().Addr, fmt.Sprintf("REFHOST_REDIS_DB=%d", redis.Options().DB),
		"REFHOST_S3_ENDPOINT="+s3cfg.Endpoint, "REFHOST_S3_BUCKET="+s3cfg.Bucket,
		"REFHOST_S3_ACCESS_KEY_ID="+s3cfg.AccessKey, "REFHOST_S3_SECRET_ACCESS_KEY="+s3cfg.SecretKey,
		"REFHOST_INTERNAL_KEY="+hex.EncodeToString(key), "REFHOST_ERASURE_KEY="+strings.Repeat("e7", 32), "REFHOST_LOG_LEVEL=debug")
	bin := buildBinary(t)

	migrate := exec.Command(bin, "migrate")
	migrate.Env = env
	if out, err := migrate.CombinedOutput(); err != nil || !strings.Contains(string(out), "up to date") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	ai := startStack(t, bin, "aicoach", env, "-aicoach-addr", "127.0.0.1:0")
	coreP := startStack(t, bin, "core", env, "-core-addr", "127.0.0.1:0")
	wk := startStack(t, bin, "worker", env, "-worker-addr", "127.0.0.1:0", "-aicoach-url", ai.addr)
	edgeEnv := append(slices.Clone(env), "REFHOST_CORE_URL="+coreP.addr, "REFHOST_EDGE_SECRET="+strings.Repeat("ed", 32))
	edge1 := startStack(t, bin, "edge", edgeEnv, "-edge-addr", "127.0.0.1:0")
	edge2 := startStack(t, bin, "edge", edgeEnv, "-edge-addr", "127.0.0.1:0")
	for _, p := range []*process{ai, coreP, wk, edge1, edge2} {
		if res, err := http.Get(p.addr + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s /readyz: %v %v", p.addr, res, err)
		}
	}
	// The worker reads the depth of the Redis queues at each scrape (the autoscaler's metric).
	if res, err := http.Get(wk.addr + "/metrics"); err != nil {
		t.Fatal(err)
	} else {
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if want := `coach_jobs_queue_depth{queue="q_import",state="pending"} `; !strings.Contains(string(page), want) {
			t.Errorf("the worker's /metrics has no %s…:\n%s", want, grep(string(page), "coach_jobs_queue_depth"))
		}
	}
	splitEdges(t, key, coreP.addr, edge1.addr, edge2.addr)

	// Journey (a), with the worker scoring through the aicoach process; the digest job is put on
	// the shared Redis queue as the scheduler would.
	dl := memory.New()
	t.Cleanup(func() { dl.Close() })
	queue, err := asynq.New(redis, asynq.Config{DeadLetters: dl.DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	jh := journeyHost{core: coreP.addr, key: key, binance: bn,
		enqueue: func(j transport.Job) error { _, err := queue.Enqueue(context.Background(), j); return err },
		logs:    func() string { return "worker:\n" + wk.logs.String() + "\ncore:\n" + coreP.logs.String() }}
	binanceJourney(t, jh)
	// Journey (b), reading the audit rows from the same Postgres schema.
	db, err := postgres.Open(context.Background(), postgres.Config{URL: postgrestest.TestURL(), Schema: schema, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	coinbaseJourney(t, jh, cb, auditsOf(t, db))
	if !strings.Contains(ai.logs.String(), `"path":"/v1/bias/score"`) {
		t.Fatalf("the aicoach process served no scoring:\n%s", ai.logs)
	}
	for name, p := range map[string]*process{"aicoach": ai, "core": coreP, "worker": wk, "edge": edge1} {
		for _, secret := range []string{hex.EncodeToString(key), "argon2id", hex.EncodeToString(kek),
			bn.Config().APIKey, bn.Config().SecretKey} {
			if strings.Contains(p.logs.String(), secret) {
				t.Errorf("%s logged %q", name, secret)
			}
		}
	}
}
