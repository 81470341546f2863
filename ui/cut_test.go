package ui

import (
	"strings"
	"testing"
)

// At 80x24 with the form open the lesson does not fit: what is cut says so
// with an ellipsis, and every line still fits the terminal.
func TestCutSideSectionsEndWithAnEllipsis(t *testing.T) {
	m := started(t, 80, 24)
	m = press(t, m, enter, enter) // 401, then pick Basic: the form opens
	if m.Focused() != "form" {
		t.Fatalf("focus %s", m.Focused())
	}
	s := screen(m)
	var try string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Try ") {
			try = l
		}
		if width(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
	if try == "" || strings.Contains(s, "a wrong password.") {
		t.Fatalf("expected the lesson cut inside its Try line at 80x24:\n%s", s)
	}
	if !strings.HasSuffix(strings.TrimRight(try, " "), "…") {
		t.Errorf("the lesson is cut after %q without an ellipsis:\n%s", try, s)
	}
}

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
