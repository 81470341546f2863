package ui

import (
	"runtime/debug"
	"strings"
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

func TestStartingHandsBackTheModelAfterTheFirstFrame(t *testing.T) {
	released := make(chan struct{})
	var m tea.Model = build(func() Model { return New(Options{URL: "http://127.0.0.1:1/"}) }, func() { close(released) })
	if m.Init() == nil {
		t.Fatal("Init of the model it built returned no command (it asks for the background colour)")
	}
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if _, ok := m.(starting); !ok {
		t.Fatalf("before the first frame Update returned %T, want the starting wrapper", m)
	}
	if v := m.View(); !strings.Contains(v.Content, "http://127.0.0.1:1/") {
		t.Fatalf("the first View does not show the URL:\n%s", v.Content)
	}
	<-released // within afterFrame
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	got, ok := m.(Model)
	if !ok {
		t.Fatalf("after the first frame Update returned %T, want ui.Model", m)
	}
	if got.w != 100 {
		t.Fatalf("the model handed back has width %d, want 100 (the last resize)", got.w)
	}
}

// A panic while the model is built comes out of Init, on the program's goroutine,
// where Bubble Tea recovers and puts the terminal back.
func TestStartingRaisesABuildPanicOnTheProgramGoroutine(t *testing.T) {
	m := build(func() Model { panic("no model") }, func() {})
	defer func() {
		if r := recover(); r != "no model" {
			t.Fatalf("recovered %v, want the build's panic", r)
		}
	}()
	m.Init()
	t.Fatal("Init returned without the build's panic")
}
