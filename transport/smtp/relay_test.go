package smtp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// relay is an in-process SMTP server (github.com/emersion/go-smtp's) on a loopback port, speaking
// real SMTP over TCP. What it accepted and how each session went are kept for the test to check.
type relay struct {
	host string
	port int

	// User and Pass, when User is set, are the only credentials AUTH PLAIN accepts, and MAIL
	// is refused until they are given.
	user, pass string
	// rcptErr and dataErr, when set, are the replies to RCPT and DATA.
	rcptErr, dataErr error
	// dataDelay holds DATA's reply back.
	dataDelay time.Duration

	mu       sync.Mutex
	received []received
	authed   []string // usernames that signed in
	failed   int      // AUTH attempts refused
	tlsSeen  []bool   // whether each session's connection was TLS
}

type received struct {
	from string
	to   []string
	data []byte
}

type relayOpt func(*relay, *gosmtp.Server)

// withTLS makes the relay offer STARTTLS with cert (and refuse AUTH before it).
func withTLS(cert tls.Certificate) relayOpt {
	return func(_ *relay, s *gosmtp.Server) {
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.AllowInsecureAuth = false
	}
}

func withAuth(user, pass string) relayOpt {
	return func(r *relay, _ *gosmtp.Server) { r.user, r.pass = user, pass }
}

// startRelay serves SMTP on 127.0.0.1 until the test ends. With implicit, the listener speaks TLS
// from the first byte with cert.
func startRelay(t *testing.T, implicit *tls.Certificate, opts ...relayOpt) *relay {
	t.Helper()
	r := &relay{}
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		r.mu.Lock()
		r.tlsSeen = append(r.tlsSeen, isTLS)
		r.mu.Unlock()
		return &session{r: r}, nil
	}))
	s.Domain = "relay.test"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.ErrorLog = discardLogger{}
	for _, o := range opts {
		o(r, s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*implicit}, MinVersion: tls.VersionTLS12})
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	r.host = host
	r.port, _ = strconv.Atoi(port)
	return r
}

func (r *relay) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.received...)
}

type session struct {
	r      *relay
	authed bool
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.r.mu.Lock()
		defer s.r.mu.Unlock()
		if s.r.user == "" || user != s.r.user || pass != s.r.pass {
			s.r.failed++
			return gosmtp.ErrAuthFailed
		}
		s.authed = true
		s.r.authed = append(s.r.authed, user)
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.r.user != "" && !s.authed {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.r.rcptErr != nil {
		return s.r.rcptErr
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	if s.r.dataDelay > 0 {
		time.Sleep(s.r.dataDelay)
	}
	if s.r.dataErr != nil {
		return s.r.dataErr
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.received = append(s.r.received, received{from: s.from, to: s.to, data: b})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// testCert returns a self-signed certificate for 127.0.0.1 and localhost, and a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "relay.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// silentServer accepts connections and never says a word (no greeting), holding them open until
// the test ends: a relay that hangs.
func silentServer(t *testing.T) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return host, p
}
