package chart

import (
	"html/template"
	"strconv"
	"strings"
	"time"
)

// TableData is a chart's data as text: the text alternative to show beside it.
type TableData struct {
	// Caption names the table (usually the chart's title).
	Caption string
	// Summary is the text of the <details> element's <summary>; "Show the data as a table" when
	// empty.
	Summary string
	Header  []string
	Rows    [][]string
}

// MaxTableRows is the most rows LineTable gives per chart.
const MaxTableRows = 60

// Table renders t as a <table class="chart-table"> with a <caption>, column headers (<th
// scope="col">) and the first cell of each row as its row header, inside a closed
// <details class="chart-data">, every text escaped. Place it right after the chart it
// describes.
func Table(t TableData) template.HTML {
	s := &svg{}
	summary := t.Summary
	if summary == "" {
		summary = "Show the data as a table"
	}
	s.raw(`<details class="chart-data"><summary>`)
	s.text(summary)
	s.raw(`</summary><table class="chart-table"><caption>`)
	s.text(t.Caption)
	s.raw(`</caption>`)
	if len(t.Header) > 0 {
		s.raw(`<thead><tr>`)
		for _, h := range t.Header {
			s.raw(`<th scope="col">`)
			s.text(h)
			s.raw(`</th>`)
		}
		s.raw(`</tr></thead>`)
	}
	s.raw(`<tbody>`)
	for _, r := range t.Rows {
		s.raw(`<tr>`)
		for i, c := range r {
			if i == 0 {
				s.raw(`<th scope="row">`)
				s.text(c)
				s.raw(`</th>`)
				continue
			}
			s.raw(`<td>`)
			s.text(c)
			s.raw(`</td>`)
		}
		s.raw(`</tr>`)
	}
	s.raw(`</tbody></table></details>`)
	// #nosec G203 -- every text written was escaped by svg.text.
	return template.HTML(s.b.String())
}

// LineTable is c's data as a table: a row per instant of the first series (at most
// MaxTableRows, evenly spaced, the last always kept), a column per series with its value at that
// instant ("" when it has none).
func LineTable(c LineChart) TableData {
	t := TableData{Caption: c.Title, Header: []string{"Time"}}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	vals := make([]map[int64]float64, len(c.Series))
	for i, sr := range c.Series {
		name := sr.Name
		if name == "" {
			name = "Value"
		}
		if c.Unit != "" {
			name += " (" + c.Unit + ")"
		}
		t.Header = append(t.Header, name)
		vals[i] = make(map[int64]float64, len(sr.Points))
		for _, p := range sr.Points {
			if finite(p.V) {
				vals[i][p.T.UnixNano()] = p.V
			}
		}
	}
	if len(c.Series) == 0 {
		return t
	}
	var pts []Point
	for _, p := range c.Series[0].Points {
		if finite(p.V) {
			pts = append(pts, p)
		}
	}
	step := max(1, (len(pts)+MaxTableRows-1)/MaxTableRows)
	for j := 0; j < len(pts); j += step {
		if j+step >= len(pts) {
			j = len(pts) - 1
		}
		row := []string{pts[j].T.In(loc).Format("2006-01-02 15:04")}
		for i := range c.Series {
			v, ok := vals[i][pts[j].T.UnixNano()]
			cell := ""
			if ok {
				cell = formatValue(v, 2, false, "")
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// BarsTable is c's data as a table: a row per bar with its value as Bars writes it.
func BarsTable(c BarsChart) TableData {
	t := TableData{Caption: c.Title, Header: []string{"Label", "Value"}}
	dec := c.Decimals
	if dec <= 0 {
		dec = 2
	}
	if c.Count {
		dec = 0
	}
	for _, b := range c.Bars {
		t.Rows = append(t.Rows, []string{b.Label, formatValue(b.Value, dec, !c.Count, c.Unit)})
	}
	return t
}

// StackedTable is c's data as a table: a row per bucket, a column per key and the total.
func StackedTable(c StackedChart) TableData {
	t := TableData{Caption: c.Title, Header: append(append([]string{"Bucket"}, c.Keys...), "Total")}
	for _, b := range c.Buckets {
		row := []string{b.Label}
		for i := range c.Keys {
			v := bucketValue(b, i)
			row = append(row, formatValue(v, decimalsOf(v), false, ""))
		}
		tot := bucketTotal(b, len(c.Keys))
		t.Rows = append(t.Rows, append(row, formatValue(tot, decimalsOf(tot), false, "")))
	}
	return t
}

// CandlesTable is c's fills as a table (the candles themselves are context, not data a reader
// needs row by row): time, side, price and label.
func CandlesTable(c CandleChart) TableData {
	t := TableData{Caption: c.Title, Header: []string{"Time", "Side", "Price", "Note"}}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, f := range c.Fills {
		price := strconv.FormatFloat(f.Price, 'f', -1, 64)
		if c.Unit != "" {
			price += " " + c.Unit
		}
		t.Rows = append(t.Rows, []string{f.T.In(loc).Format("2006-01-02 15:04:05"), sideName(f.Side), price, strings.TrimSpace(f.Label)})
	}
	return t
}
