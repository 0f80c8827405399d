package browsertest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
)

// Transfer is what one page load moved over the network: the document and every subresource it
// fetched, by the bytes actually received (compressed, headers included, as Chromium's
// Network.loadingFinished encodedDataLength counts them). A resource served from the cache
// counts 0.
type Transfer struct {
	Document  string     // the address of the page
	Total     int64      // bytes received, over all resources
	Script    int64      // of which for resources of type Script
	Resources []Resource // every resource, in the order requested
	Pending   int        // requests not finished when Transfer was read (a long poll, a stream)
}

// Resource is one request of a page load.
type Resource struct {
	URL    string
	Type   network.ResourceType // Document, Script, Stylesheet, Image, Fetch, …
	Bytes  int64                // received, compressed; 0 while pending or when it failed
	Failed bool
}

// String lists the load's resources, largest first, for a failure message.
func (t Transfer) String() string {
	rs := append([]Resource(nil), t.Resources...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Bytes > rs[j].Bytes })
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d bytes in all, %d of script", t.Document, t.Total, t.Script)
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  %7d  %-10s %s", r.Bytes, r.Type, r.URL)
		if r.Failed {
			b.WriteString(" (failed)")
		}
	}
	return b.String()
}

// The budgets of issue 18, in bytes (KB taken as 1000 bytes, the stricter reading): what one page
// may transfer on first load, compressed, and the JavaScript among it.
const (
	PageBudget   = 100_000
	ScriptBudget = 20_000
)

// RequireWithin fails tb, listing the resources, when the load transferred more than maxTotal
// bytes in all or more than maxScript bytes of script.
func (t Transfer) RequireWithin(tb testing.TB, maxTotal, maxScript int64) {
	tb.Helper()
	if t.Total > maxTotal || t.Script > maxScript {
		tb.Errorf("browsertest: over budget (%d bytes in all, %d of script, allowed %d and %d):\n%s",
			t.Total, t.Script, maxTotal, maxScript, t)
	}
}

// Transfer returns the accounting of the latest page load of the tab (the latest top-level
// document and what was fetched after it), waiting up to a second for requests still in
// flight. A load in a fresh Page is a first load: its browser context has an empty cache.
func (p *Page) Transfer() Transfer {
	deadline := time.Now().Add(time.Second)
	for {
		p.mu.Lock()
		t := p.transfer.snapshot()
		p.mu.Unlock()
		if t.Pending == 0 || time.Now().After(deadline) {
			return t
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// transferLog accounts the requests of the latest page load; its owner's lock guards it.
type transferLog struct {
	document string
	order    []network.RequestID
	byID     map[network.RequestID]*request
}

// request is one request in flight or done.
type request struct {
	url   string
	typ   network.ResourceType
	bytes int64
	done  bool
	fail  bool
}

func newTransferLog() *transferLog {
	return &transferLog{byID: map[network.RequestID]*request{}}
}

// requestWillBeSent starts a new page load at a top-level document request, and records every
// request after it.
func (l *transferLog) requestWillBeSent(mainFrame cdp.FrameID, ev *network.EventRequestWillBeSent) {
	if ev.Request == nil {
		return
	}
	if ev.Type == network.ResourceTypeDocument && ev.FrameID == mainFrame && string(ev.RequestID) == string(ev.LoaderID) {
		if r, ok := l.byID[ev.RequestID]; ok && ev.RedirectResponse != nil {
			// A redirect of the document: the same load goes on at another address.
			r.url = ev.Request.URL
			return
		}
		l.order = nil
		l.byID = map[network.RequestID]*request{}
		l.document = ev.Request.URL
	}
	if r, ok := l.byID[ev.RequestID]; ok {
		r.url = ev.Request.URL // a redirect keeps its request id
		return
	}
	l.order = append(l.order, ev.RequestID)
	l.byID[ev.RequestID] = &request{url: ev.Request.URL, typ: ev.Type}
}

// responseReceived fills in the resource type when the request did not say it.
func (l *transferLog) responseReceived(ev *network.EventResponseReceived) {
	if r, ok := l.byID[ev.RequestID]; ok && r.typ == "" {
		r.typ = ev.Type
	}
}

// loadingFinished records the bytes a request received.
func (l *transferLog) loadingFinished(ev *network.EventLoadingFinished) {
	if r, ok := l.byID[ev.RequestID]; ok {
		r.bytes = int64(ev.EncodedDataLength)
		r.done = true
	}
}

// loadingFailed marks a request failed; what it received is not known.
func (l *transferLog) loadingFailed(ev *network.EventLoadingFailed) {
	if r, ok := l.byID[ev.RequestID]; ok {
		r.done, r.fail = true, true
		if r.typ == "" {
			r.typ = ev.Type
		}
	}
}

// snapshot sums the current load.
func (l *transferLog) snapshot() Transfer {
	t := Transfer{Document: l.document}
	for _, id := range l.order {
		r := l.byID[id]
		t.Resources = append(t.Resources, Resource{URL: r.url, Type: r.typ, Bytes: r.bytes, Failed: r.fail})
		t.Total += r.bytes
		if r.typ == network.ResourceTypeScript {
			t.Script += r.bytes
		}
		if !r.done {
			t.Pending++
		}
	}
	return t
}
