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
// The model (New: text fields, styles, layout) is built in Init. Bubble Tea
// calls Init once it has set up the terminal and started its frame clock,
// and writes the first frame at the first tick, 1/120 s later; building
// the model and the first View take about a third of that. Built on
// another goroutine while Bubble Tea set up the terminal instead, both
// allocated fresh memory at once, and on two cores that made the set-up,
// which the tick waits for, 0.6 ms slower.
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

// starting is the model until its first frame is drawn: it builds the
// model in Init (see above). After the first View, release is called a
// little later, and the next Update hands Bubble Tea the model itself.
type starting struct {
	s *startState
	m tea.Model // the model as updated; nil until the first Update
}

// startState is shared by the copies of starting that Bubble Tea holds;
// only the program's goroutine, which calls Init, View and Update, uses it.
type startState struct {
	newModel func() Model
	model    Model
	drawn    bool
	release  func()
}

// build returns the model that newModel makes when Bubble Tea calls Init.
func build(newModel func() Model, release func()) starting {
	return starting{s: &startState{newModel: newModel, release: release}}
}

// model is the model as it stands.
func (u starting) model() tea.Model {
	if u.m != nil {
		return u.m
	}
	return u.s.model
}

func (u starting) Init() tea.Cmd {
	warmWidths()
	u.s.model = u.s.newModel()
	return u.s.model.Init()
}

// afterFrame is how long after the first View the frame is surely written.
const afterFrame = 50 * time.Millisecond

func (u starting) View() tea.View {
	v := u.model().View()
	if !u.s.drawn {
		u.s.drawn = true
		time.AfterFunc(afterFrame, u.s.release)
	}
	return v
}

func (u starting) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := u.model().Update(msg)
	if u.s.drawn {
		return m, cmd
	}
	return starting{u.s, m}, cmd
}

// unwrap is the model inside m.
func unwrap(m tea.Model) tea.Model {
	if u, ok := m.(starting); ok {
		return u.model()
	}
	return m
}
