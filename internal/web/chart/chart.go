// Package chart draws the reports dashboard's bar charts as SVG on the
// server.
//
// It is a small renderer of crmd's own rather than a charting library
// because the dashboard needs only a few kinds of chart (vertical bars,
// stacked or grouped, and horizontal bars), and a browser-side library
// would need script: the workspace's Content-Security-Policy forbids
// inline script and the pages work without JavaScript. A chart is markup
// the server writes once, so it prints, it is cached with the page, and a
// screen reader reads its <title> and <desc> (each bar has a <title> too,
// which browsers show as a tooltip); the page puts the same numbers in an
// HTML table right under it for anyone who wants them exactly. Each bar
// carries data-label, data-series and data-value, so a test can check the
// drawing against that table.
//
// Colours are presentation attributes (fill="…"), which the CSP allows
// where it refuses style attributes; fonts, axis and grid take their look
// from the page's stylesheet through classes.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Palette is the series colours, in order: distinguishable for the common
// colour-vision deficiencies (after Okabe and Ito) and dark enough for
// white value text.
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0C800", "#7F7F7F"}

// Series is one set of values, one per label of the chart.
type Series struct {
	Name string
	// Color is a CSS colour; "" takes the palette's colour of its place.
	Color  string
	Values []int64
}

// Bars is a bar chart.
type Bars struct {
	// ID prefixes the ids of the chart's <title> and <desc>; it must be
	// unique in the page.
	ID    string
	Title string
	Desc  string
	// Labels name the categories: the x axis of a vertical chart, the rows
	// of a horizontal one.
	Labels []string
	Series []Series
	// Stacked piles the series of a category into one bar; otherwise they
	// stand side by side.
	Stacked bool
	// Horizontal draws a row per label with bars growing to the right and
	// the value written after each bar.
	Horizontal bool
	// Format writes a value for a bar's tooltip and the horizontal value
	// text (decimal digits when nil); Tick writes the axis values (a short
	// form such as 12k when nil).
	Format func(int64) string
	Tick   func(int64) string
	// Note, when set, is written after a horizontal bar's value: a share,
	// say. Its arguments are the series and label indexes.
	Note func(series, label int) string
	// Empty is the text drawn when there are no labels.
	Empty string
}

// Geometry of a vertical chart, in viewBox units (the SVG scales to its
// container, so these are proportions more than pixels).
const (
	vWidth   = 600
	hWidth   = 480
	vHeight  = 300
	vLeft    = 56
	vRight   = 12
	vBottom  = 28
	legendH  = 22
	charW    = 7 // the width a character of the 12-unit font takes, roughly
	hLabelW  = 160
	hRowH    = 26
	hBarGap  = 6
	hValueW  = 110
	ticksMax = 5
)

func (b Bars) format(n int64) string {
	if b.Format != nil {
		return b.Format(n)
	}
	return strconv.FormatInt(n, 10)
}

func (b Bars) tick(n int64) string {
	if b.Tick != nil {
		return b.Tick(n)
	}
	return Compact(n)
}

func (b Bars) color(i int) string {
	if c := b.Series[i].Color; c != "" {
		return c
	}
	return Palette[i%len(Palette)]
}

// Compact writes a number short for an axis: 950, 12k, 1.5M.
func Compact(n int64) string {
	a := math.Abs(float64(n))
	switch {
	case a >= 1e9:
		return trimZero(float64(n)/1e9) + "G"
	case a >= 1e6:
		return trimZero(float64(n)/1e6) + "M"
	case a >= 1e4:
		return trimZero(float64(n)/1e3) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func trimZero(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// niceScale is an axis maximum at or above max made of a round step
// (1, 2 or 5 times a power of ten) and the step, for about ticksMax ticks.
func niceScale(max int64) (top, step int64) {
	if max <= 0 {
		return 1, 1
	}
	raw := float64(max) / ticksMax
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	var s float64
	switch r := raw / mag; {
	case r <= 1:
		s = mag
	case r <= 2:
		s = 2 * mag
	case r <= 5:
		s = 5 * mag
	default:
		s = 10 * mag
	}
	step = int64(math.Max(1, math.Round(s)))
	top = (max + step - 1) / step * step
	return top, step
}

// SVG draws the chart.
func (b Bars) SVG() template.HTML {
	if b.Horizontal {
		return b.horizontal()
	}
	return b.vertical()
}

type writer struct{ strings.Builder }

func (w *writer) f(format string, args ...any) { fmt.Fprintf(&w.Builder, format, args...) }

// esc escapes text for HTML, where the SVG is inlined.
func esc(s string) string { return html.EscapeString(s) }

func (b Bars) open(w *writer, width, height int) {
	kind := "vertical"
	if b.Horizontal {
		kind = "horizontal"
	}
	w.f(`<svg class="chart %s" id="%s" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" xmlns="http://www.w3.org/2000/svg">`,
		kind, esc(b.ID), width, height, width, height, esc(b.ID), esc(b.ID))
	w.f(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(b.ID), esc(b.Title), esc(b.ID), esc(b.Desc))
}

// legend draws the series names in a row (wrapping) from y and returns
// the height it took; a chart of one series has none. A vertical chart's
// legend ends at the right edge when it fits in one row: on a phone such a
// chart is scrolled to its right end (the latest days), where the legend
// then is.
func (b Bars) legend(w *writer, x0, width, y int, right bool) int {
	if len(b.Series) < 2 {
		return 0
	}
	itemWidth := func(s Series) int { return 18 + len([]rune(s.Name))*charW + 16 }
	if right {
		total := 0
		for _, s := range b.Series {
			total += itemWidth(s)
		}
		if total <= width {
			x0 += width - total
		}
	}
	x, rows := x0, 1
	w.f(`<g class="legend">`)
	for i, s := range b.Series {
		wd := itemWidth(s)
		if x > x0 && x+wd > x0+width {
			x, rows, y = x0, rows+1, y+legendH
		}
		w.f(`<rect x="%d" y="%d" width="12" height="12" rx="2" fill="%s"></rect><text x="%d" y="%d">%s</text>`,
			x, y+2, b.color(i), x+18, y+12, esc(s.Name))
		x += wd
	}
	w.f(`</g>`)
	return rows*legendH + 6
}

func (b Bars) empty(w *writer, width, height int) template.HTML {
	w.f(`<text class="empty" x="%d" y="%d" text-anchor="middle">%s</text></svg>`, width/2, height/2, esc(b.Empty))
	return template.HTML(w.String())
}

func (b Bars) max() int64 {
	var m int64
	for li := range b.Labels {
		var stack int64
		for _, s := range b.Series {
			v := value(s, li)
			if b.Stacked {
				stack += max(v, 0)
			} else {
				m = max(m, v)
			}
		}
		m = max(m, stack)
	}
	return m
}

func value(s Series, i int) int64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return 0
}

// bar writes one bar with what a reader and a test need to know of it.
func (b Bars) bar(w *writer, si, li int, x, y, width, height float64) {
	v := value(b.Series[si], li)
	name := b.Labels[li]
	if len(b.Series) > 1 || b.Series[si].Name != "" {
		name += " · " + b.Series[si].Name
	}
	w.f(`<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" data-label="%s" data-series="%s" data-value="%d"><title>%s: %s</title></rect>`,
		x, y, math.Max(width, 0), math.Max(height, 0), b.color(si), esc(b.Labels[li]), esc(b.Series[si].Name), v, esc(name), esc(b.format(v)))
}

func (b Bars) vertical() template.HTML {
	var w writer
	top := 8 + b.legendHeight(vWidth-vLeft-vRight)
	height := vHeight + top
	b.open(&w, vWidth, height)
	b.legend(&w, vLeft, vWidth-vLeft-vRight, 8, true)
	if len(b.Labels) == 0 || len(b.Series) == 0 {
		return b.empty(&w, vWidth, height)
	}
	plotW, plotH := float64(vWidth-vLeft-vRight), float64(vHeight-vBottom-8)
	y0 := float64(top) + plotH // the baseline
	scaleTop, step := niceScale(b.max())
	scale := plotH / float64(scaleTop)
	w.f(`<g class="grid">`)
	for v := int64(0); v <= scaleTop; v += step {
		y := y0 - float64(v)*scale
		w.f(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f"></line><text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`,
			vLeft, vWidth-vRight, y, y, vLeft-6, y+4, esc(b.tick(v)))
	}
	w.f(`</g>`)
	n := len(b.Labels)
	slot := plotW / float64(n)
	barArea := slot * 0.8
	if barArea > 64 {
		barArea = 64
	}
	// Every k-th label, so that labels do not overlap.
	longest := 0
	for _, l := range b.Labels {
		longest = max(longest, len([]rune(l)))
	}
	every := max(1, int(math.Ceil(float64(longest*charW+8)/slot)))
	w.f(`<g class="bars">`)
	for li := range b.Labels {
		cx := float64(vLeft) + slot*(float64(li)+0.5)
		left := cx - barArea/2
		if b.Stacked {
			y := y0
			for si := range b.Series {
				h := float64(max(value(b.Series[si], li), 0)) * scale
				y -= h
				b.bar(&w, si, li, left, y, barArea, h)
			}
		} else {
			bw := barArea / float64(len(b.Series))
			for si := range b.Series {
				h := float64(max(value(b.Series[si], li), 0)) * scale
				b.bar(&w, si, li, left+bw*float64(si), y0-h, bw-1, h)
			}
		}
	}
	w.f(`</g><g class="axis"><line x1="%d" x2="%d" y1="%.1f" y2="%.1f"></line>`, vLeft, vWidth-vRight, y0, y0)
	for li, l := range b.Labels {
		if li%every != 0 {
			continue
		}
		cx := float64(vLeft) + slot*(float64(li)+0.5)
		w.f(`<text class="label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, cx, y0+18, esc(l))
	}
	w.f(`</g></svg>`)
	return template.HTML(w.String())
}

func (b Bars) legendHeight(width int) int {
	var scratch writer
	return b.legend(&scratch, 0, width, 0, false)
}

func (b Bars) horizontal() template.HTML {
	var w writer
	top := 8 + b.legendHeight(hWidth-hLabelW)
	groups := max(1, len(b.Series))
	if b.Stacked {
		groups = 1
	}
	barH := float64(hRowH-hBarGap) / float64(groups)
	if groups > 1 {
		barH = 14
	}
	rowH := barH*float64(groups) + hBarGap
	height := top + int(math.Ceil(rowH*float64(max(len(b.Labels), 2)))) + 8
	b.open(&w, hWidth, height)
	b.legend(&w, hLabelW, hWidth-hLabelW, 8, false)
	if len(b.Labels) == 0 || len(b.Series) == 0 {
		return b.empty(&w, hWidth, height)
	}
	plotW := float64(hWidth - hLabelW - hValueW)
	m := b.max()
	scale := 0.0
	if m > 0 {
		scale = plotW / float64(m)
	}
	w.f(`<g class="bars">`)
	for li, l := range b.Labels {
		y := float64(top) + rowH*float64(li)
		w.f(`<text class="label" x="%d" y="%.1f" text-anchor="end">%s</text>`, hLabelW-8, y+rowH/2+2, esc(truncate(l, (hLabelW-12)/charW)))
		x := float64(hLabelW)
		for si := range b.Series {
			v := max(value(b.Series[si], li), 0)
			wd := float64(v) * scale
			by := y + barH*float64(si)
			if b.Stacked {
				by = y
			}
			b.bar(&w, si, li, x, by, wd, barH-1)
			if b.Stacked {
				x += wd
				continue
			}
			text := b.format(v)
			if b.Note != nil {
				if n := b.Note(si, li); n != "" {
					text += " · " + n
				}
			}
			w.f(`<text class="value" x="%.1f" y="%.1f">%s</text>`, x+wd+6, by+barH/2+3, esc(text))
		}
	}
	w.f(`</g><line class="axis-line" x1="%d" x2="%d" y1="%d" y2="%d"></line></svg>`, hLabelW, hLabelW, top, height-8)
	return template.HTML(w.String())
}

// truncate shortens s to n characters with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
