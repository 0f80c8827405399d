package chart_test

import (
	"html/template"
	"os"
	"time"

	"github.com/tradecoach/coach/refhost/web/chart"
)

// A page passes the chart and its table to html/template as they are: both are template.HTML,
// escaped by the chart package.
func Example() {
	day := func(i int) time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i) }
	c := chart.LineChart{
		Frame:    chart.Frame{Title: "Equity", YLabel: "Equity", Unit: "USDT", ID: "equity"},
		ZeroLine: true,
		Series: []chart.Series{{Name: "Actual", Points: []chart.Point{
			{T: day(0), V: 0}, {T: day(1), V: -4.37}, {T: day(2), V: 12.5},
		}}},
	}
	page := template.Must(template.New("p").Parse(`<figure>{{.Chart}}{{.Table}}</figure>`))
	_ = page.Execute(os.Stdout, map[string]template.HTML{"Chart": chart.Line(c), "Table": chart.Table(chart.LineTable(c))})
}
