package crm

import "strings"

// NormalizePhone reduces a phone number to the digits Envybox stores:
// country code first, no "+". Russian numbers written with a leading 8 or
// without the country code become 7XXXXXXXXXX, so "+7 (499) 322-97-10",
// "84993229710" and "74993229710" are one number. It returns "" when s has
// no digits.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case len(d) == 11 && d[0] == '8':
		return "7" + d[1:]
	case len(d) == 10 && d[0] == '9':
		return "7" + d
	}
	return d
}

// NormalizeEmail lower-cases and trims an email for matching.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// FormatPhone renders a normalized Russian number as Envybox's log texts
// do: +7(499)322-97-10; other numbers get a "+" only.
func FormatPhone(d string) string {
	if len(d) == 11 && d[0] == '7' {
		return "+7(" + d[1:4] + ")" + d[4:7] + "-" + d[7:9] + "-" + d[9:]
	}
	if d == "" {
		return ""
	}
	return "+" + d
}
