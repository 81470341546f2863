package ui

import (
	"runtime/debug"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Work that the first frame does not need waits until it is drawn, or runs
// beside it.
//
// Go's collector: starting the program allocates past the first heap goal
// (4 MB), so a collection ran while the first frame was being built; with
// it, each copy of the model (Bubble Tea passes it by value) went through
// write barriers. Nothing is freed that early that matters, so collection
// is held off until the first frame is on the terminal: Bubble Tea writes
// what View returned at its next frame tick (1/120 s), so it is set back as
// it was (GOGC) a little after the first View.
//
// The terminal width table: the first rune past U+0300 on screen (a box
// line, a dot) makes the width tables fill two 1.1 MB look-up tables. The
// frame is drawn with such runes, so the tables are filled on another core
// while the model is built.

// holdGC turns the collector off until the returned func is first called.
func holdGC() (release func()) {
	base := debug.SetGCPercent(-1)
	return sync.OnceFunc(func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcUsers > 0 {
			gcSaved = base // eagerGC sets it back when its Cmds are done
			return
		}
		debug.SetGCPercent(base)
	})
}

// warmWidths fills the width tables in the background.
func warmWidths() { go ansi.StringWidthWc("─") }

// untilDrawn is the model until its first frame is drawn: then drawn is
// called, and the next Update hands Bubble Tea the model itself.
type untilDrawn struct {
	tea.Model
	drawn *drawnOnce
}

type drawnOnce struct {
	once sync.Once
	done bool // set on the program's goroutine that calls View and Update
	f    func()
}

// afterFrame is how long after the first View the frame is surely written.
const afterFrame = 50 * time.Millisecond

func (u untilDrawn) View() tea.View {
	v := u.Model.View()
	u.drawn.once.Do(func() {
		u.drawn.done = true
		time.AfterFunc(afterFrame, u.drawn.f)
	})
	return v
}

func (u untilDrawn) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := u.Model.Update(msg)
	if u.drawn.done {
		return m, cmd
	}
	return untilDrawn{m, u.drawn}, cmd
}

// unwrap is the model inside m.
func unwrap(m tea.Model) tea.Model {
	if u, ok := m.(untilDrawn); ok {
		return u.Model
	}
	return m
}
