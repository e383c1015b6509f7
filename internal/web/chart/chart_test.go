package chart

import (
	"strings"
	"testing"
)

func TestNiceScale(t *testing.T) {
	for _, c := range []struct{ max, top, step int64 }{
		{0, 1, 1}, {1, 1, 1}, {4, 4, 1}, {7, 8, 2}, {5000, 5000, 1000}, {11700, 15000, 5000}, {99, 100, 20},
	} {
		if top, step := niceScale(c.max); top != c.top || step != c.step {
			t.Errorf("niceScale(%d) = %d, %d; want %d, %d", c.max, top, step, c.top, c.step)
		}
	}
}

func TestCompact(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 950: "950", 9999: "9999", 12000: "12k", 1500000: "1.5M", 2000000000: "2G", -25000: "-25k"} {
		if got := Compact(n); got != want {
			t.Errorf("Compact(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestBarsSVG: a bar per label and series, carrying its value, with text
// escaped and the accessible name and description in place.
func TestBarsSVG(t *testing.T) {
	for _, horizontal := range []bool{false, true} {
		b := Bars{ID: "c", Title: "T <1>", Desc: "D & d", Labels: []string{"<b>a</b>", "b", "c"}, Horizontal: horizontal,
			Series: []Series{{Name: "s1", Values: []int64{1, 0, 30}}, {Name: "s\"2", Values: []int64{2, 5, 0}}}}
		svg := string(b.SVG())
		if n := strings.Count(svg, `<rect class="bar"`); n != 6 {
			t.Errorf("horizontal %v: %d bars, want 6", horizontal, n)
		}
		for _, want := range []string{`aria-labelledby="c-title c-desc"`, `<title id="c-title">T &lt;1&gt;</title>`, `<desc id="c-desc">D &amp; d</desc>`,
			`data-label="&lt;b&gt;a&lt;/b&gt;" data-series="s1" data-value="1"`, `data-series="s&#34;2" data-value="5"`, `data-value="30"`} {
			if !strings.Contains(svg, want) {
				t.Errorf("horizontal %v: no %s in\n%s", horizontal, want, svg)
			}
		}
		if strings.Contains(svg, "<b>") {
			t.Errorf("unescaped label in %s", svg)
		}
	}
	empty := string(Bars{ID: "e", Empty: "Nothing"}.SVG())
	if !strings.Contains(empty, ">Nothing</text>") || strings.Contains(empty, `class="bar"`) {
		t.Errorf("empty chart: %s", empty)
	}
}
