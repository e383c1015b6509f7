package crm

import (
	"strings"
	"testing"
)

// TestUnsortedUID: an uid is 40 hex digits, reads back to its id, and no
// other string reads as one.
func TestUnsortedUID(t *testing.T) {
	for _, id := range []int64{1, 42, 1 << 40, 1<<63 - 1} {
		uid := UnsortedUID(id)
		if len(uid) != 40 || strings.Trim(uid, "0123456789abcdef") != "" {
			t.Errorf("UnsortedUID(%d) = %q, want 40 lowercase hex digits", id, uid)
		}
		if got, ok := ParseUnsortedUID(uid); !ok || got != id {
			t.Errorf("ParseUnsortedUID(%q) = %d, %t; want %d", uid, got, ok, id)
		}
		if got, ok := ParseUnsortedUID(strings.ToUpper(uid)); !ok || got != id {
			t.Errorf("upper-case %q = %d, %t; want %d", uid, got, ok, id)
		}
	}
	for _, uid := range []string{
		"", "42", strings.Repeat("0", 40), // id 0
		strings.Repeat("0", 39) + "g",                        // not hex
		strings.Repeat("0", 24) + "8000000000000000",         // beyond int64
		"1" + strings.Repeat("0", 38) + "1",                  // digits beyond 64 bits
		strings.Repeat("0", 39) + "1 ", UnsortedUID(1) + "0", // wrong length
		"98fb033cefde74f5de1a5d3980a2a2d108037", // amoCRM's own (37 digits)
	} {
		if id, ok := ParseUnsortedUID(uid); ok {
			t.Errorf("ParseUnsortedUID(%q) = %d, want no id", uid, id)
		}
	}
}
