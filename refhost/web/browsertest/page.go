package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Viewport is the size a Page renders at. Name goes into screenshot file names.
type Viewport struct {
	Name          string
	Width, Height int64
	Scale         float64 // device pixels per CSS pixel
	Mobile        bool    // mobile emulation: meta viewport honoured, touch events on
}

// Desktop is a laptop screen, 1280×800 CSS pixels.
var Desktop = Viewport{Name: "desktop", Width: 1280, Height: 800, Scale: 1}

// Phone is a current phone held upright, 390×844 CSS pixels at 2× with mobile emulation.
var Phone = Viewport{Name: "phone", Width: 390, Height: 844, Scale: 2, Mobile: true}

// DefaultTimeout bounds every action of a Page (a navigation, a click, a wait for a selector)
// unless Page.Timeout is changed.
const DefaultTimeout = 20 * time.Second

// Page is one browser tab at a Viewport, in a browser context of its own: cookies persist across
// its navigations and are shared with no other Page. From its first moment it records the
// problems of every document it loads (Problems) and what each page load transferred (Transfer).
//
// A Page is used by one goroutine (the test's). Every helper fails the test on error.
type Page struct {
	tb       testing.TB
	browser  *Browser
	ctx      context.Context
	viewport Viewport

	// Timeout bounds each action; DefaultTimeout when created.
	Timeout time.Duration

	mu        sync.Mutex
	problems  []Problem
	policyLog []Problem // Chromium's console lines about violations (see Problems)
	transfer  *transferLog
}

// NewPage opens a tab at viewport v, closed at tb's cleanup. The problem collectors and the
// transfer accounting are installed before anything is loaded.
func (b *Browser) NewPage(tb testing.TB, v Viewport) *Page {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	p := &Page{tb: tb, browser: b, ctx: ctx, viewport: v, Timeout: DefaultTimeout, transfer: newTransferLog()}
	tb.Cleanup(cancel)
	// The first Run opens the tab; like Start's, it carries no timeout of its own.
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(ctx, p.emulate(v), p.installCollectors()) }()
	select {
	case err := <-opened:
		if err != nil {
			tb.Fatalf("browsertest: opening a tab: %v", err)
		}
	case <-time.After(startTimeout):
		tb.Fatalf("browsertest: opening a tab took over %s", startTimeout)
	}
	return p
}

// Viewport returns the viewport the page renders at now.
func (p *Page) Viewport() Viewport { return p.viewport }

// SetViewport re-renders the page at v (the document stays loaded).
func (p *Page) SetViewport(v Viewport) {
	p.tb.Helper()
	p.Run(p.emulate(v))
	p.viewport = v
}

// emulate sets the device metrics and touch emulation of v.
func (p *Page) emulate(v Viewport) chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(v.Scale)}
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(v.Width, v.Height, opts...)
}

// Context returns the tab's chromedp context, for actions this package has no helper for.
// Derive a timeout from it for each call rather than cancel it.
func (p *Page) Context() context.Context { return p.ctx }

// Run runs chromedp actions in the tab within p.Timeout, failing the test on error.
func (p *Page) Run(actions ...chromedp.Action[chromedp.Void]) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.tb.Fatalf("browsertest: %v", err)
	}
}

// Navigate loads url and waits for its load event. The transfer accounting starts afresh.
func (p *Page) Navigate(url string) {
	p.tb.Helper()
	p.Run(chromedp.Navigate(url))
}

// Click clicks the first element matching the CSS selector, once it is visible. It does not wait
// for a navigation the click may start: see ClickAndWait.
func (p *Page) Click(sel string) {
	p.tb.Helper()
	p.Run(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// ClickAndWait clicks the first visible element matching sel (a link, a submit button) and
// waits for the page it leads to to load.
func (p *Page) ClickAndWait(sel string) {
	p.tb.Helper()
	p.Run(p.waitLoad(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// Fill clears the first visible field matching sel and types value into it with key events (so
// input and change listeners run as they would for a person).
func (p *Page) Fill(sel, value string) {
	p.tb.Helper()
	p.Run(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Clear(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value),
	)
}

// Submit submits the form matching sel (or the form of the field or button matching sel) as a
// person would — requestSubmit, so validation and submit listeners run — and waits for the page
// the form leads to to load.
func (p *Page) Submit(sel string) {
	p.tb.Helper()
	js := fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (!e) throw new Error("no element matches " + %[1]s);
		const f = e instanceof HTMLFormElement ? e : e.form;
		if (!f) throw new Error(%[1]s + " is not in a form");
		f.requestSubmit(e instanceof HTMLButtonElement || e instanceof HTMLInputElement && e.type === "submit" ? e : undefined);
		return true;
	})()`, jsString(sel))
	p.Run(chromedp.WaitVisible(chromedp.CSS(sel)), p.waitLoad(chromedp.Evaluate[chromedp.Void](js)))
}

// WaitVisible waits until an element matching sel is visible.
func (p *Page) WaitVisible(sel string) {
	p.tb.Helper()
	p.Run(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// WaitText waits until the text of the first element matching sel contains text (its
// textContent, checked every 50 ms).
func (p *Page) WaitText(sel, text string) {
	p.tb.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.textContent.includes(%s); })()`,
		jsString(sel), jsString(text))
	ctx, cancel := context.WithTimeout(p.ctx, p.Timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		p.tb.Fatalf("browsertest: waiting for %q in %s: %v (it reads %q)", text, sel, err, p.textOrEmpty(sel))
	}
}

// Text returns the visible text of the first element matching sel, waiting for it to exist.
func (p *Page) Text(sel string) string {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		p.tb.Fatalf("browsertest: text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// URL returns the address of the document the tab shows.
func (p *Page) URL() string {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.Timeout)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		p.tb.Fatalf("browsertest: location: %v", err)
	}
	return u
}

// textOrEmpty is Text without waiting or failing, for error messages.
func (p *Page) textOrEmpty(sel string) string {
	ctx, cancel := context.WithTimeout(p.ctx, time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const e = document.querySelector(%s); return e ? e.textContent : "<no element>"; })()`, jsString(sel))))
	return strings.TrimSpace(s)
}

// waitLoad runs trigger and waits for the load event of the document it leads to.
func (p *Page) waitLoad(trigger chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, trigger)(ctx, t)
		return chromedp.Void{}, err
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
