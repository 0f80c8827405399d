package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// tcpProxy is the small loopback load balancer a scaled-out set sits behind: each connection it
// accepts goes to the next backend in turn that takes a connection (a backend that refuses is
// skipped), and bytes are copied both ways until either side closes. Being a TCP proxy, it passes
// WebSockets through untouched; a killed backend's connections end, and their clients reconnect
// to whichever backend still answers.
type tcpProxy struct {
	ln net.Listener

	mu       sync.Mutex
	backends []string // host:port
	next     int
	conns    map[string]int // connections sent to each backend
	sockets  map[string]int // of which WebSocket handshakes to /ws/coach
	open     map[net.Conn]struct{}
	gate     chan struct{} // while held, new connections wait for it to close
	wg       sync.WaitGroup
}

// hold makes connections accepted from now on wait, until release, before a backend is dialled:
// a drill then knows clients cut off cannot come back before it has done what it must do while
// they are away.
func (p *tcpProxy) hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate == nil {
		p.gate = make(chan struct{})
	}
}

// release lets the connections waiting since hold through.
func (p *tcpProxy) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

// startProxy listens on a loopback port and balances over backends (base URLs or host:port); a
// proxy started with none refuses connections until route gives it some.
func startProxy(t testing.TB, backends ...string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, conns: map[string]int{}, sockets: map[string]int{}, open: map[net.Conn]struct{}{}}
	p.route(backends...)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// route sets the backends (base URLs or host:port) later connections go to.
func (p *tcpProxy) route(backends ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backends = nil
	for _, b := range backends {
		p.backends = append(p.backends, strings.TrimPrefix(strings.TrimPrefix(b, "http://"), "https://"))
	}
}

// URL is the proxy's base URL.
func (p *tcpProxy) URL() string { return "http://" + p.ln.Addr().String() }

// served returns how many connections, and of them WebSocket handshakes, went to backend (a base
// URL or host:port).
func (p *tcpProxy) served(backend string) (conns, sockets int) {
	b := strings.TrimPrefix(backend, "http://")
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns[b], p.sockets[b]
}

func (p *tcpProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() { defer p.wg.Done(); p.serve(c) }()
	}
}

// serve peeks at the request line (to count WebSocket handshakes), dials the next backend that
// answers and copies both ways.
func (p *tcpProxy) serve(client net.Conn) {
	defer client.Close()
	br := bufio.NewReader(client)
	_ = client.SetReadDeadline(time.Now().Add(30 * time.Second))
	first, _ := br.Peek(len("GET /ws/coach"))
	_ = client.SetReadDeadline(time.Time{})
	p.mu.Lock()
	gate := p.gate
	p.mu.Unlock()
	if gate != nil {
		<-gate
	}
	backend, up := p.dial()
	if up == nil {
		return
	}
	defer up.Close()
	p.mu.Lock()
	p.conns[backend]++
	if bytes.Equal(first, []byte("GET /ws/coach")) {
		p.sockets[backend]++
	}
	p.open[client], p.open[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.open, client)
		delete(p.open, up)
		p.mu.Unlock()
	}()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, br); closeWrite(up); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, up); closeWrite(client); done <- struct{}{} }()
	<-done
	<-done
}

// dial connects to the next backend in turn that accepts, or returns nil when none does.
func (p *tcpProxy) dial() (string, net.Conn) {
	p.mu.Lock()
	backends, start := p.backends, p.next
	p.next++
	p.mu.Unlock()
	for i := range backends {
		b := backends[(start+i)%len(backends)]
		if c, err := net.DialTimeout("tcp", b, 2*time.Second); err == nil {
			return b, c
		}
	}
	return "", nil
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
		return
	}
	_ = c.Close()
}

// close stops accepting, cuts every open connection and waits for the copies to end.
func (p *tcpProxy) close() {
	p.release()
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.open {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
