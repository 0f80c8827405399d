package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// TestOutsideModuleEmbedsTheSDK is the acceptance test of embedding: it writes a fresh module in
// a temporary directory — its own go.mod requiring github.com/tradecoach/coach v0.0.0 with a
// replace directive to this repository, the repository's go.sum, and this program's main.go (whose
// marked parts are the README's snippets, see TestREADMESnippetsAreThePrograms) — and runs it
// with `go run .` against the test Postgres and Redis. The program must print the event its
// WebSocket client received and the host's order committed in the same transaction; the test
// then reads the order and the event back from the database itself.
//
// It skips with -short, and when Postgres or Redis does not answer (fails instead when
// COACH_REQUIRE_SERVICES=1).
func TestOutsideModuleEmbedsTheSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module outside the repository")
	}
	pool, schema := postgrestest.MustHostPool(t)
	t.Cleanup(func() { postgrestest.DropTestSchema(t, postgrestest.TestURL(), schema+"_coach") })
	redistest.MustOpenClient(t)

	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := fmt.Sprintf(`module example.com/shop

go %s

require github.com/tradecoach/coach v0.0.0

replace github.com/tradecoach/coach => %s
`, goDirective(t, filepath.Join(root, "go.mod")), root)
	write(t, filepath.Join(dir, "go.mod"), []byte(goMod))
	write(t, filepath.Join(dir, "go.sum"), read(t, filepath.Join(root, "go.sum")))
	write(t, filepath.Join(dir, "main.go"), read(t, "main.go"))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", ".", // go test puts its own toolchain first on PATH
		"-postgres", postgrestest.TestURL(), "-redis", redistest.Addr(),
		"-schema", schema, "-prefix", redistest.RandomPrefix(), "-timeout", "1m")
	cmd.Dir = dir
	// GOTOOLCHAIN, GOMODCACHE, GOCACHE and GOPROXY come from the environment: the module cache
	// is shared, so the build needs no network. -mod=mod lets go fill in the outside module's
	// requirements from the SDK's go.mod; GOWORK=off keeps any workspace out.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run . in the outside module: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	checkOutput(t, stdout.String())

	// What the program said, checked in the database: its order and its event, both committed.
	// (Whether the event is marked delivered yet is left open: the program may stop its
	// dispatcher between publishing and marking, and delivery is at least once.)
	orderID := output.FindStringSubmatch(stdout.String())[2]
	var userID string
	if err := pool.QueryRow(ctx, `SELECT user_id FROM `+schema+`.orders WHERE id = $1`, orderID).Scan(&userID); err != nil {
		t.Fatalf("the order %s is not in the host's table: %v", orderID, err)
	}
	var events int
	err = pool.QueryRow(ctx, `SELECT count(*) FROM `+schema+`_coach.event_outbox WHERE user_id = $1 AND payload->>'orderId' = $2`,
		userID, orderID).Scan(&events)
	if err != nil || events != 1 {
		t.Errorf("events about order %s in the outbox: %d, %v; want 1", orderID, events, err)
	}
}

// goDirective returns the go version the repository's go.mod asks for.
func goDirective(t *testing.T, path string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(read(t, path))
	if m == nil {
		t.Fatalf("%s has no go directive", path)
	}
	return string(m[1])
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
