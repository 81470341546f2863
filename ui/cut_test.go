package ui

import "testing"

// Wrapped findings hang under their text whatever their mark, so an info
// finding's second line does not start under the bullet.
func TestFindingMarksHang(t *testing.T) {
	for _, mark := range []string{"✗", "!", "·"} {
		l := "  " + mark + " The server publishes its protected-resource metadata (RFC 9728) at a long URL"
		if got := hangIndent(l, 40); got != 4 {
			t.Errorf("hangIndent of a %q finding = %d, want 4", mark, got)
		}
	}
}
