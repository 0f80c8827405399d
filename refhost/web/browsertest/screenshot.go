package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// ScreenshotDir is where screenshots go: COACH_SCREENSHOTS, else .artifacts/screenshots at the
// root of the module (the directory holding go.mod, above the test's working directory).
func ScreenshotDir() string {
	if d := os.Getenv("COACH_SCREENSHOTS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join(".artifacts", "screenshots")
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".artifacts", "screenshots")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, ".artifacts", "screenshots")
		}
	}
}

// safeName keeps screenshot names to letters, digits, '-', '_' and '.'.
var safeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot saves a full-page PNG of what the tab shows at its current viewport as
// <ScreenshotDir>/<name>-<viewport>.png (e.g. dashboard-desktop.png) and returns its path.
func (p *Page) Screenshot(tb testing.TB, name string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	dir := ScreenshotDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		tb.Fatalf("browsertest: screenshot directory: %v", err)
	}
	path := filepath.Join(dir, safeName.ReplaceAllString(name, "_")+"-"+p.viewport.Name+".png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		tb.Fatalf("browsertest: saving screenshot: %v", err)
	}
	return path
}

// Screenshots saves the page as Screenshot does at Desktop and at Phone width (name-desktop.png,
// name-phone.png), then puts the tab back at its own viewport. It returns the two paths.
func (p *Page) Screenshots(tb testing.TB, name string) []string {
	tb.Helper()
	own := p.viewport
	var paths []string
	for _, v := range []Viewport{Desktop, Phone} {
		p.SetViewport(v)
		paths = append(paths, p.Screenshot(tb, name))
	}
	p.SetViewport(own)
	return paths
}
