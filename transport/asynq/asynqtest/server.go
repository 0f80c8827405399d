package asynqtest

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Server is a redis-server of the test's own, never the shared test Redis: on a free loopback
// port, its data in a temporary directory, configured as production is (every write in the
// append-only file, fsynced before the answer: what "a job accepted" rests on). A test can stop,
// kill and start it again on the same port and data.
type Server struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	exited   chan struct{}
}

// StartServer starts a Server and waits until it answers; it is killed when the test ends. A
// machine without redis-server skips the test (fails it under COACH_REQUIRE_SERVICES=1).
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		Unavailable(tb, "redis-server not installed: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{bin: bin, dir: tb.TempDir(), port: l.Addr().(*net.TCPAddr).Port}
	_ = l.Close()
	s.Start(tb)
	tb.Cleanup(func() { s.Kill(tb) })
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *Server) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// Start runs the server on its port and data and waits until it answers.
func (s *Server) Start(tb testing.TB) {
	tb.Helper()
	s.cmd = exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir, // #nosec G204 -- redis-server from PATH, the test's own port and directory
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no")
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(s.cmd, s.exited)
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr()})
	defer c.Close()
	for deadline := time.Now().Add(30 * time.Second); c.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) || !s.running() {
			tb.Fatalf("redis-server on %s did not answer", s.Addr())
		}
	}
}

// Stop ends the server with SIGTERM (what an orchestrator's restart sends) and waits for it.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatalf("stop redis-server: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		tb.Fatal("redis-server still runs 30s after SIGTERM")
	}
}

// Kill ends the server with SIGKILL (no shutdown, no final write) and waits for it; a server that
// has already exited is left as it is.
func (s *Server) Kill(tb testing.TB) {
	tb.Helper()
	if !s.running() {
		return
	}
	if err := s.cmd.Process.Kill(); err != nil {
		tb.Errorf("kill redis-server: %v", err)
	}
	<-s.exited
}
