package secrettest

import (
	"net"
	"testing"
)

// HangUpURL returns the base URL of a server that closes every connection before answering: a
// request to it fails in transport, as one to a vanished host does. Unlike a closed
// httptest.Server, the port stays bound until the test ends, so a server started by a parallel
// test can never take it over and answer.
func HangUpURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}
