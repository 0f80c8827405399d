package webhook_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/webhook"
)

// stubResolver answers from a table; a name with several answers gives them in turn, one per
// lookup (the last one repeating), as a rebinding DNS server would.
type stubResolver struct {
	mu      sync.Mutex
	answers map[string][]string
	asked   map[string]int
}

func (r *stubResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	as, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	i := min(r.asked[host], len(as)-1)
	r.asked[host]++
	return []netip.Addr{netip.MustParseAddr(as[i])}, nil
}

// fakeDialer records every address it is asked to dial and connects them all to one loopback
// test server, so that nothing leaves loopback whatever the address.
type fakeDialer struct {
	mu     sync.Mutex
	target string
	dialed []string
}

func (d *fakeDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, addr)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.target)
}

func (d *fakeDialer) addrs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.dialed...)
}

// TestClientRefusesNonPublicAddresses is the SSRF table: every URL is refused with the code
// given and the fake dialer never sees a non-public address.
func TestClientRefusesNonPublicAddresses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	res := &stubResolver{asked: map[string]int{}, answers: map[string][]string{
		"example.com":          {"93.184.216.34"},
		"private.example.com":  {"10.1.2.3"},
		"loopback.example.com": {"127.0.0.1"},
		"linklocal.example":    {"169.254.7.7"},
		"metadata.example":     {"169.254.169.254"},
		"metadata6.example":    {"fd00:ec2::254"},
		"cgnat.example":        {"100.64.1.1"},
		"mapped.example":       {"::ffff:192.168.0.1"},
		"rebind.example.com":   {"93.184.216.34", "10.0.0.1"},
	}}
	dial := &fakeDialer{target: srv.Listener.Addr().String()}
	tlsCfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tlsCfg.ServerName = "example.com" // the test certificate's name
	c, err := webhook.NewClient(webhook.ClientConfig{Resolver: res, DialContext: dial.DialContext, TLSConfig: tlsCfg, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	post := func(u string) (webhook.Response, error) {
		return c.Post(context.Background(), u, map[string]string{"webhook-id": "msg_1"}, []byte(`{}`))
	}

	// The positive control: a public name is dialled (at its checked address) and answers.
	if r, err := post("https://example.com/ok"); err != nil || r.Status != http.StatusNoContent {
		t.Fatalf("public receiver: %+v, %v", r, err)
	}

	for _, tc := range []struct {
		url  string
		code coach.Code
		why  string
	}{
		{"http://example.com/", coach.EINVALID, "https"},
		{"https://10.0.0.1/", coach.EFORBIDDEN, "private"},
		{"https://172.16.5.4/", coach.EFORBIDDEN, "private"},
		{"https://192.168.1.1/", coach.EFORBIDDEN, "private"},
		{"https://[fc00::1]/", coach.EFORBIDDEN, "private"},
		{"https://127.0.0.1/", coach.EFORBIDDEN, "loopback"},
		{"https://[::1]/", coach.EFORBIDDEN, "loopback"},
		{"https://localhost/", coach.EFORBIDDEN, "loopback"},
		{"https://169.254.10.1/", coach.EFORBIDDEN, "link-local"},
		{"https://[fe80::1]/", coach.EFORBIDDEN, "link-local"},
		{"https://169.254.169.254/latest/meta-data/", coach.EFORBIDDEN, "metadata"},
		{"https://[fd00:ec2::254]/", coach.EFORBIDDEN, "metadata"},
		{"https://100.64.0.1/", coach.EFORBIDDEN, "cgnat"},
		{"https://0.0.0.0/", coach.EFORBIDDEN, "unspecified"},
		{"https://224.0.0.1/", coach.EFORBIDDEN, "multicast"},
		{"https://[::ffff:10.0.0.1]/", coach.EFORBIDDEN, "private"},
		{"https://private.example.com/", coach.EFORBIDDEN, "private"},
		{"https://loopback.example.com/", coach.EFORBIDDEN, "loopback"},
		{"https://linklocal.example/", coach.EFORBIDDEN, "link-local"},
		{"https://metadata.example/", coach.EFORBIDDEN, "metadata"},
		{"https://metadata6.example/", coach.EFORBIDDEN, "metadata"},
		{"https://cgnat.example/", coach.EFORBIDDEN, "cgnat"},
		{"https://mapped.example/", coach.EFORBIDDEN, "private"},
		{"https://example.com/redirect", coach.EFORBIDDEN, "redirect"},
		{"https://user:pw@example.com/", coach.EINVALID, "user info"},
		{"https://nowhere.example/", coach.EUNAVAILABLE, "resolve"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := post(tc.url)
			if coach.ErrorCode(err) != tc.code || !strings.Contains(coach.ErrorMessage(err), tc.why) {
				t.Errorf("Post(%s) = %v, want %s mentioning %q", tc.url, err, tc.code, tc.why)
			}
		})
	}

	// DNS rebinding: the name resolves to a public address first (say, when the endpoint was
	// saved and at the first delivery) and to a private one later; the check is on the address
	// dialled, so the later delivery is refused.
	if r, err := post("https://rebind.example.com/ok"); err != nil || r.Status != http.StatusNoContent {
		t.Fatalf("rebind, first (public) answer: %+v, %v", r, err)
	}
	c2, err := webhook.NewClient(webhook.ClientConfig{Resolver: res, DialContext: dial.DialContext, TLSConfig: tlsCfg}) // no pooled connection
	if err != nil {
		t.Fatal(err)
	}
	_, err = c2.Post(context.Background(), "https://rebind.example.com/ok", nil, []byte(`{}`))
	if coach.ErrorCode(err) != coach.EFORBIDDEN || !strings.Contains(coach.ErrorMessage(err), "private") {
		t.Errorf("rebind, second (private) answer: %v, want forbidden", err)
	}

	for _, a := range dial.addrs() {
		ap := netip.MustParseAddrPort(a)
		if webhook.Class(ap.Addr()) != "" {
			t.Errorf("the dialer was asked for %s (%s)", a, webhook.Class(ap.Addr()))
		}
	}
	if len(dial.addrs()) == 0 {
		t.Errorf("the dialer was never used: the positive control did not dial")
	}
}

// TestLoopbackOnlyInTestMode: the test mode allows http and loopback receivers, and still
// nothing else non-public.
func TestLoopbackOnlyInTestMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url  string
		test bool
		code coach.Code
	}{
		{"http://127.0.0.1:8080/", true, ""},
		{"http://127.0.0.1:8080/", false, coach.EINVALID},
		{"https://127.0.0.1:8080/", false, coach.EFORBIDDEN},
		{"http://10.0.0.1/", true, coach.EFORBIDDEN},
		{"http://169.254.169.254/", true, coach.EFORBIDDEN},
		{"ftp://example.com/", true, coach.EINVALID},
		{"https://example.com/#frag", false, coach.EINVALID},
		{"https://example.com/hook", false, ""},
	} {
		_, err := webhook.CheckURL(tc.url, tc.test)
		if coach.ErrorCode(err) != tc.code {
			t.Errorf("CheckURL(%s, test mode %v) = %v, want %q", tc.url, tc.test, err, tc.code)
		}
	}
}

// TestAnswersAreReadToALimit: a huge answer is read to 4 KiB and a short excerpt kept.
func TestAnswersAreReadToALimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(strings.Repeat("é", 1<<20)))
	}))
	t.Cleanup(srv.Close)
	c, err := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Post(context.Background(), srv.URL, nil, []byte(`{}`))
	if err != nil || r.Status != http.StatusBadRequest || len(r.Excerpt) > coach.MaxWebhookExcerptBytes || len(r.Excerpt) < 200 ||
		strings.ContainsRune(r.Excerpt, '\uFFFD') {
		t.Errorf("answer: status %d, excerpt of %d bytes (%q), %v", r.Status, len(r.Excerpt), r.Excerpt[:min(len(r.Excerpt), 20)], err)
	}
}

// TestSlowReceiverTimesOut: an attempt ends at the Client's timeout with unavailable.
func TestSlowReceiverTimesOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(func() { close(release); srv.Close() })
	c, err := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Post(context.Background(), srv.URL, nil, []byte(`{}`)); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("slow receiver: %v, want unavailable", err)
	}
}
