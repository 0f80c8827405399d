// Package chart draws the web UI's charts as inline SVG, rendered on the server.
//
// Every entry point (Line, Bars, Stacked, Candles) is a pure function of its argument: no I/O,
// no clock, no randomness, the same bytes on every machine. Each returns template.HTML holding
// one <svg> element that is safe to place in an html/template page as it is:
//
//   - every text it was given (titles, series names, labels, units) is XML-escaped, and characters
//     XML forbids are replaced by U+FFFD, so the output is well-formed XML and HTML;
//   - it carries no script, no event handler, no link and no style attribute or element: it runs
//     under a strict Content-Security-Policy. Geometry and default colours are presentation
//     attributes (fill, stroke, stroke-width, stroke-dasharray, font-size); every element has a
//     class naming what it is, so a stylesheet can recolour it (CSS beats presentation
//     attributes);
//   - it is accessible: role="img", a <title> and a <desc> (a one-sentence summary of the data,
//     written from the data unless Frame.Summary is set) referenced by aria-labelledby; series
//     differ by dash pattern and marker shape, stacked segments by fill pattern, candles by hollow
//     (up) or filled (down) bodies, fills by marker shape, and each is named in a legend or as
//     text, so nothing is told by colour alone; signed bars carry their value as text;
//   - it is responsive: a viewBox, width="100%" and no height, so it scales to its container
//     (class "chart"). Text is sized for a 420-unit-wide viewBox, which stays readable on a
//     phone; a stylesheet should cap the width on large screens, e.g.
//     .chart{width:100%;height:auto;max-width:42rem}.
//
// Numbers are formatted deterministically: coordinates with one decimal, values with grouping
// commas ("1,234.50") and a fixed number of decimals, times in Frame.Location (UTC when nil).
//
// Axis values: every chart with a value axis has ticks at round numbers (1, 2 or 5 × 10ⁿ) and a
// labelled y axis; time axes have ticks at round dates or times.
//
// Large series are downsampled before drawing: Line keeps, for each horizontal pixel of the plot,
// the lowest and the highest point that falls in it, in time order, so a 10,000-point equity curve
// draws at most two points per pixel and never loses its extremes.
//
// # Classes a stylesheet may use
//
// The <svg> has "chart chart-line" (or chart-bars, chart-stacked, chart-candles) plus Frame.Class.
// Inside: axis, axis-x, axis-y, axis-line, grid, zero (the zero grid line), tick, tick-label,
// axis-label; legend, legend-item, legend-label; no-data. Line: series series-i (plus the
// Series.Class), series-line, marker marker-<shape>. Bars: bar-row (plus Bar.Class), bar pos,
// bar neg, bar-label, bar-value. Stacked: column, segment key-i, column-total, swatch key-i, and
// in <defs> swatch-pattern and swatch-bg key-i (recolour a key through its swatch-bg: segments
// are filled with the pattern). Candles: candle up, candle down (wick, body), fill buy, fill sell
// (fill-price, fill-mark, fill-label). Default colours are presentation attributes: "#fff" for
// hollow bodies and label halos, which a dark theme should override.
//
// # Text alternative
//
// A chart is an image; the page should offer its data as a table too. Table renders a <table>
// (with a caption and column headers) inside a closed <details> element; give it the same data as
// the chart, e.g. LineTable for a LineChart. Put it right after the chart.
//
// # Ids
//
// aria-labelledby and fill patterns need ids unique in the page. Frame.ID sets the prefix (only
// letters, digits, '-' and '_' are kept); when it is empty the prefix is derived from the chart's
// kind and title, so two charts with the same title on one page need distinct IDs.
package chart
