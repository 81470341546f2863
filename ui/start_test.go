package ui

import (
	"runtime/debug"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// gcPercent reads GOGC's current setting without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

func TestHoldGCSetsTheCollectorBack(t *testing.T) {
	was := gcPercent()
	release := holdGC()
	if got := gcPercent(); got != -1 {
		t.Fatalf("GOGC while held = %d, want -1 (off)", got)
	}
	release()
	release()
	if got := gcPercent(); got != was {
		t.Fatalf("GOGC after release = %d, want %d", got, was)
	}
}

// A body formatted while the hold is on (eagerGC saved "off") must not
// leave the collector off once both are done.
func TestHoldGCWithABodyBeingFormatted(t *testing.T) {
	was := gcPercent()
	release := holdGC()
	done := eagerGC()
	release()
	if got := gcPercent(); got != 25 {
		t.Fatalf("GOGC while a big body is formatted = %d, want 25", got)
	}
	done()
	if got := gcPercent(); got != was {
		t.Fatalf("GOGC after both = %d, want %d", got, was)
	}
}

func TestUntilDrawnHandsBackTheModelAfterTheFirstFrame(t *testing.T) {
	released := make(chan struct{})
	var m tea.Model = untilDrawn{New(Options{URL: "http://127.0.0.1:1/"}), &drawnOnce{f: func() { close(released) }}}
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if _, ok := m.(untilDrawn); !ok {
		t.Fatalf("before the first frame Update returned %T, want the wrapper", m)
	}
	v := m.View()
	if v.Content == "" {
		t.Fatal("the first View drew nothing")
	}
	<-released // within afterFrame
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if _, ok := m.(Model); !ok {
		t.Fatalf("after the first frame Update returned %T, want ui.Model", m)
	}
	if _, ok := unwrap(untilDrawn{Model: m}).(Model); !ok {
		t.Fatal("unwrap did not return the model inside")
	}
}
