// Package browsertest drives headless Chromium from Go tests (through chromedp) to test the
// refhost web UI as a person's browser sees it, under the edge's real CSP.
//
// Start gives a test a Browser (skipped without Chromium, failed under COACH_REQUIRE_SERVICES=1);
// NewPage opens a tab at Desktop (1280×800) or Phone (390×844, mobile emulation) in a browser
// context of its own, so its cookies last across its navigations and are nobody else's. The
// Page's helpers (Navigate, Click, ClickAndWait, Fill, Submit, WaitVisible, WaitText, Text)
// fail the test on error, each within Page.Timeout. From the moment it opens, a Page records:
//
//   - Problems: console.error calls, uncaught exceptions and unhandled rejections, errors the
//     browser logs (a failed load, a 404 favicon.ico included), and every CSP or Trusted Types
//     violation — those from a securitypolicyviolation listener that DevTools injects into each
//     document before its own scripts, reporting through a Runtime binding, with the directive,
//     what was blocked and where. RequireNoProblems fails the test on any of them.
//   - Transfer: per page load, the bytes received (compressed, as on the wire) for the document
//     and each subresource, and how many of them were script; RequireWithin checks a budget
//     (PageBudget, ScriptBudget).
//
// Screenshot saves a full-page PNG as <name>-<desktop|phone>.png in ScreenshotDir
// (COACH_SCREENSHOTS, else .artifacts/screenshots at the module root); Screenshots saves both
// widths. CheckAccessibility runs axe-core (AxeVersion, pinned in scripts/axe) in the page with
// the WCAG 2.0/2.1 A and AA rules and fails on serious or critical violations.
//
// A journey test, for example:
//
//	b := browsertest.Start(t)
//	p := b.NewPage(t, browsertest.Desktop)
//	p.Navigate(srv.URL + "/signup")
//	p.Transfer().RequireWithin(t, browsertest.PageBudget, browsertest.ScriptBudget)
//	p.CheckAccessibility(t)
//	p.Screenshots(t, "signup")
//	p.Fill("#email", "ada@example.com")
//	p.Fill("#password", "correct horse battery staple")
//	p.Submit("form#signup") // waits for the page the form leads to
//	p.WaitText("main h1", "Welcome")
//	p.RequireNoProblems(t)
//
// # Running the browser tests locally
//
// Two things are needed, both installed by .ci/run on a fresh CI machine; without them the
// tests skip (set COACH_REQUIRE_SERVICES=1 to make them fail instead):
//
//	apt-get install -y chromium   # Debian's Chromium, /usr/bin/chromium (or set COACH_CHROMIUM)
//	scripts/axe                   # axe-core from npm into ~/.cache/tradecoach-ci/axe-core-<version>/
//
// then, for example, `go test -run TestHarness ./refhost/web/browsertest/`. scripts/axe prints
// the path of axe.min.js; COACH_AXE overrides where the tests look for it. Screenshots land in
// .artifacts/screenshots/ (ignored by git), or in COACH_SCREENSHOTS.
//
// Chromium runs with --no-sandbox (CI runs as root) and without background networking,
// component updates, sync or QUIC, which a closed network would refuse. A page with no icon
// makes Chromium fetch /favicon.ico; a 404 there is a browser error like any other, so pages
// declare their icon.
package browsertest
