package chart_test

import (
	"encoding/xml"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach/refhost/web/chart"
)

// node is an XML element with its attributes, text and children.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n *node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n *node) hasClass(c string) bool {
	for _, f := range strings.Fields(n.attr("class")) {
		if f == c {
			return true
		}
	}
	return false
}

// walk calls f on n and every element under it, depth first, in document order.
func (n *node) walk(f func(*node)) {
	f(n)
	for i := range n.Children {
		n.Children[i].walk(f)
	}
}

// all returns the elements under n (n included) carrying class c.
func (n *node) all(c string) []*node {
	var out []*node
	n.walk(func(m *node) {
		if m.hasClass(c) {
			out = append(out, m)
		}
	})
	return out
}

// parse checks that h is one well-formed, safe, accessible SVG element and returns it.
func parse(t testing.TB, h template.HTML) *node {
	t.Helper()
	var root node
	dec := xml.NewDecoder(strings.NewReader(string(h)))
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("not XML: %v\n%s", err, h)
	}
	if _, err := dec.Token(); err == nil {
		t.Fatalf("more than one element:\n%s", h)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root is <%s>, want <svg>", root.XMLName.Local)
	}
	ids := map[string]bool{}
	root.walk(func(m *node) {
		switch strings.ToLower(m.XMLName.Local) {
		case "script", "style", "foreignobject", "a", "image", "use":
			t.Errorf("element <%s> in chart", m.XMLName.Local)
		}
		seen := map[string]bool{}
		for _, a := range m.Attrs {
			if seen[a.Name.Local] {
				t.Errorf("<%s> repeats attribute %s", m.XMLName.Local, a.Name.Local)
			}
			seen[a.Name.Local] = true
			l := strings.ToLower(a.Name.Local)
			if l == "style" || strings.HasPrefix(l, "on") || l == "href" {
				t.Errorf("attribute %s=%q on <%s>", a.Name.Local, a.Value, m.XMLName.Local)
			}
			if l == "id" {
				ids[a.Value] = true
			}
		}
		if m.XMLName.Local != "svg" && m.XMLName.Local != "title" && m.XMLName.Local != "desc" &&
			m.XMLName.Local != "defs" && m.attr("class") == "" {
			t.Errorf("<%s> has no class", m.XMLName.Local)
		}
	})
	if root.attr("role") != "img" || !root.hasClass("chart") || root.attr("viewBox") == "" || root.attr("width") != "100%" {
		t.Errorf("svg attributes: %v", root.Attrs)
	}
	refs := strings.Fields(root.attr("aria-labelledby"))
	if len(refs) != 2 {
		t.Errorf("aria-labelledby %q, want the title's and the desc's ids", root.attr("aria-labelledby"))
	}
	for _, r := range refs {
		if !ids[r] {
			t.Errorf("aria-labelledby names %q, which no element has", r)
		}
	}
	if len(root.Children) < 2 || root.Children[0].XMLName.Local != "title" || root.Children[1].XMLName.Local != "desc" {
		t.Fatalf("svg does not start with <title> and <desc>")
	}
	if strings.TrimSpace(root.Children[1].Text) == "" {
		t.Errorf("empty desc")
	}
	return &root
}

// texts returns the text of the <text> elements under n with class c.
func texts(n *node, c string) []string {
	var out []string
	for _, m := range n.all(c) {
		out = append(out, m.Text)
	}
	return out
}

func day(i int) time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i) }

// walkSeries is a deterministic random walk of n points a minute apart, with its extremes at
// known indexes (a spike up at n/3, a drop at 2n/3).
func walkSeries(n int) []chart.Point {
	pts := make([]chart.Point, n)
	v, seed := 1000.0, uint64(42)
	for i := range pts {
		seed = seed*6364136223846793005 + 1442695040888963407
		v += float64(int64(seed>>33)%200-100) / 100
		pts[i] = chart.Point{T: day(0).Add(time.Duration(i) * time.Minute), V: v}
	}
	pts[n/3].V = 5000
	pts[2*n/3].V = -5000
	return pts
}

func xmlDecode(s string, v any) error { return xml.NewDecoder(strings.NewReader(s)).Decode(v) }
