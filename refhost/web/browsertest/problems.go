package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ProblemKind says where a Problem came from.
type ProblemKind string

// The kinds of problems a Page records.
const (
	ConsoleError ProblemKind = "console.error" // the page called console.error (or console.assert failed)
	Exception    ProblemKind = "exception"     // an uncaught exception or unhandled rejection
	BrowserError ProblemKind = "browser-error" // the browser logged an error: a failed load, a blocked resource
	Violation    ProblemKind = "csp"           // a Content-Security-Policy or Trusted Types violation
)

// Problem is something wrong that a loaded page showed in its console, or a policy violation.
type Problem struct {
	Kind ProblemKind
	Page string // the address of the document it happened in
	Text string // what the console shows, or for a violation the directive, what it blocked and where
}

// String gives the problem on one line.
func (p Problem) String() string { return fmt.Sprintf("%s on %s: %s", p.Kind, p.Page, p.Text) }

// Problems returns everything wrong the tab saw since it opened, oldest first. It first lets
// the page run the tasks already queued (a violation event is dispatched as a task of its own,
// after the script that caused it), so a problem of the page as it is now is not missed.
//
// A policy violation comes with the directive, what it blocked and where, from the listener.
// Where the listener reported nothing for a document (a violation in a worker, say), Chromium's
// own console line about it is reported instead, so none goes unreported.
func (p *Page) Problems() []Problem {
	p.settle()
	p.mu.Lock()
	defer p.mu.Unlock()
	out := append([]Problem(nil), p.problems...)
	seen := map[string]bool{}
	for _, pr := range p.problems {
		if pr.Kind == Violation {
			seen[pr.Page] = true
		}
	}
	for _, pr := range p.policyLog {
		if !seen[pr.Page] {
			out = append(out, pr)
		}
	}
	return out
}

// settle waits, up to two seconds, for the tasks the page has queued to run, and for the events
// they cause to arrive. The page may be gone or navigating: then there is nothing to wait for.
func (p *Page) settle() {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		`new Promise((done) => setTimeout(done, 0))`, chromedp.EvalAwaitPromise))
}

// ClearProblems forgets the problems recorded so far (for a test that provoked one on purpose).
func (p *Page) ClearProblems() {
	p.mu.Lock()
	p.problems, p.policyLog = nil, nil
	p.mu.Unlock()
}

// RequireNoProblems fails tb, listing them, if the tab saw any console error, uncaught
// exception, browser error or policy violation.
func (p *Page) RequireNoProblems(tb testing.TB) {
	tb.Helper()
	if probs := p.Problems(); len(probs) > 0 {
		lines := make([]string, len(probs))
		for i, pr := range probs {
			lines[i] = "  " + pr.String()
		}
		tb.Errorf("browsertest: %d problem(s) in the browser:\n%s", len(probs), strings.Join(lines, "\n"))
	}
}

// violationBinding is the function the injected listener calls with each
// securitypolicyviolation event; the browser turns each call into Runtime.bindingCalled.
const violationBinding = "__coachPolicyViolation"

// violationListener runs in every document before its own scripts (it is injected by DevTools,
// so the page's CSP does not apply to it) and forwards each securitypolicyviolation event,
// Trusted Types violations included, to the binding.
const violationListener = `(() => {
	const report = globalThis.` + violationBinding + `;
	if (typeof report !== "function") return;
	addEventListener("securitypolicyviolation", (e) => {
		report(JSON.stringify({
			directive: e.effectiveDirective || e.violatedDirective,
			blocked: e.blockedURI,
			source: e.sourceFile,
			line: e.lineNumber,
			sample: e.sample,
			disposition: e.disposition,
		}));
	}, true);
})();`

// violation is what violationListener reports.
type violation struct {
	Directive   string `json:"directive"`
	Blocked     string `json:"blocked"`
	Source      string `json:"source"`
	Line        int64  `json:"line"`
	Sample      string `json:"sample"`
	Disposition string `json:"disposition"`
}

// String says which directive blocked what, and where.
func (v violation) String() string {
	s := fmt.Sprintf("%s blocked %s", v.Directive, v.Blocked)
	if v.Source != "" {
		s += fmt.Sprintf(" (at %s:%d)", v.Source, v.Line)
	}
	if v.Sample != "" {
		s += fmt.Sprintf(" sample %q", v.Sample)
	}
	if v.Disposition == "report" {
		s += " [report-only]"
	}
	return s
}

// installCollectors subscribes to the tab's console, log, network and binding events and
// injects the violation listener into every document to come.
func (p *Page) installCollectors() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		mainFrame := cdp.FrameID(chromedp.FromContext(ctx).Target.TargetID)
		if err := chromedp.Listen(p.ctx, func(ev any) { p.observe(mainFrame, ev) }); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, runtime.AddBinding, runtime.AddBindingParams{Name: violationBinding}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: violationListener})
		return err
	})
}

// observe records one event of the tab. It runs on chromedp's reading goroutine: it only files
// what it sees under the lock.
func (p *Page) observe(mainFrame cdp.FrameID, ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			p.addProblem(ConsoleError, consoleText(ev.Args)+at(ev.StackTrace))
		}
	case *runtime.EventExceptionThrown:
		p.addProblem(Exception, exceptionText(ev.ExceptionDetails))
	case *log.EventEntryAdded:
		p.logEntry(ev.Entry)
	case *runtime.EventBindingCalled:
		if ev.Name == violationBinding {
			var v violation
			if err := json.Unmarshal([]byte(ev.Payload), &v); err != nil {
				p.addProblem(Violation, ev.Payload)
				return
			}
			p.addProblem(Violation, v.String())
		}
	case *network.EventRequestWillBeSent:
		p.transfer.requestWillBeSent(mainFrame, ev)
	case *network.EventResponseReceived:
		p.transfer.responseReceived(ev)
	case *network.EventLoadingFinished:
		p.transfer.loadingFinished(ev)
	case *network.EventLoadingFailed:
		p.transfer.loadingFailed(ev)
	case *page.EventFrameNavigated:
		if ev.Frame != nil && ev.Frame.ParentID == "" {
			p.transfer.document = ev.Frame.URL
		}
	}
}

// logEntry records a browser log entry of level error. Chromium's own line about a policy
// violation is kept aside: the listener reports the violation in full, and Problems falls back
// on the line only where the listener reported none.
func (p *Page) logEntry(e *log.Entry) {
	if e == nil || e.Level != log.EntryLevelError {
		return
	}
	text := e.Text
	if e.URL != "" {
		text += fmt.Sprintf(" (%s)", e.URL)
	}
	if isPolicyMessage(e.Text) {
		p.policyLog = append(p.policyLog, Problem{Kind: Violation, Page: p.transfer.document, Text: text})
		return
	}
	p.addProblem(BrowserError, fmt.Sprintf("[%s] %s", e.Source, text))
}

// isPolicyMessage reports whether a console line is Chromium's own report of a CSP or Trusted
// Types violation ("… violates the following Content Security Policy directive …", "This
// document requires 'TrustedHTML' assignment"), which the securitypolicyviolation listener
// reports in full.
func isPolicyMessage(text string) bool {
	for _, s := range []string{"Content Security Policy", "Trusted Type", "requires 'Trusted"} {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// addProblem appends a problem on the current document; p.mu is held.
func (p *Page) addProblem(kind ProblemKind, text string) {
	p.problems = append(p.problems, Problem{Kind: kind, Page: p.transfer.document, Text: text})
}

// consoleText joins console arguments the way the DevTools console shows them, roughly.
func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		parts = append(parts, remoteText(a))
	}
	return strings.Join(parts, " ")
}

// remoteText is a short text for one remote object.
func remoteText(a *runtime.RemoteObject) string {
	if a == nil {
		return ""
	}
	if len(a.Value) > 0 {
		var s string
		if json.Unmarshal(a.Value, &s) == nil {
			return s
		}
		return string(a.Value)
	}
	if a.Description != "" {
		return a.Description
	}
	return string(a.Type)
}

// exceptionText is the message of an uncaught exception and where it was thrown.
func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "exception"
	}
	text := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		text += " " + d.Exception.Description
	}
	if d.URL != "" {
		text += fmt.Sprintf(" (at %s:%d)", d.URL, d.LineNumber+1)
	}
	return text
}

// at is " (at URL:line)" for the top frame of a stack, or "".
func at(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" (at %s:%d)", f.URL, f.LineNumber+1)
}
