package browsertest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startTimeout bounds how long Start waits for Chromium to answer on a busy machine.
const startTimeout = 60 * time.Second

// Browser is one headless Chromium process, started by Start for one test and closed at its
// cleanup. Each Page it opens is a tab in a browser context of its own, so pages share no
// cookies or cache with each other.
type Browser struct {
	ctx       context.Context // the chromedp context that owns the process
	cancel    context.CancelFunc
	cancelAll context.CancelFunc // the allocator's

	axeOnce sync.Once
	axeSrc  string
	axeErr  error
}

// Start starts headless Chromium for tb and closes it at tb's cleanup. The executable is
// COACH_CHROMIUM, else /usr/bin/chromium, else chromium or chromium-browser on PATH. Without one
// tb is skipped — or fails when COACH_REQUIRE_SERVICES=1, as CI sets it.
//
// Chromium runs with the flags the closed CI network needs (no background networking,
// component updates, sync or QUIC) in a new empty profile directory under tb.TempDir.
func Start(tb testing.TB) *Browser {
	tb.Helper()
	path, err := chromiumPath()
	if err != nil {
		missing(tb, "browsertest: no Chromium (set COACH_CHROMIUM, or `apt-get install -y chromium`): %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(tb.TempDir()),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b := &Browser{ctx: ctx, cancel: cancel, cancelAll: acancel}
	// The first Run starts the process; it must not carry a timeout (that would stop the
	// browser when it fires), so the wait is bounded from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(startTimeout):
		err = context.DeadlineExceeded
	}
	if err != nil {
		b.close()
		tb.Fatalf("browsertest: starting %s: %v", path, err)
	}
	tb.Cleanup(b.close)
	return b
}

// close stops the browser gracefully, then its allocator.
func (b *Browser) close() {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	_ = chromedp.Cancel(ctx)
	cancel()
	b.cancel()
	b.cancelAll()
}

// chromiumPath finds the Chromium executable: COACH_CHROMIUM, /usr/bin/chromium, or chromium /
// chromium-browser on PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("COACH_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		p, err = exec.LookPath("chromium-browser")
	}
	return p, err
}

// missing skips tb for a missing tool, or fails it under COACH_REQUIRE_SERVICES=1.
func missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("COACH_REQUIRE_SERVICES") == "1" {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}
