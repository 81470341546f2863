package ui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"
)

// term rebuilds the screen from the program's output, because the renderer
// writes only the cells that changed and the raw bytes never hold a whole frame.
type term struct {
	emu *vt.Emulator
	tm  *teatest.TestModel
}

func newTerm(t *testing.T, w, h int) *term {
	tm := teatest.NewTestModel(t, New(Options{Practice: true}),
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	emu := vt.NewEmulator(w, h)
	emu.WriteString("\x1b[20h") // LF as CRLF, as a terminal in cooked output would
	// The emulator answers the program's queries into a pipe that must be
	// drained. The goroutine is left blocked at the end of the test: vt's
	// Close races with a Read in flight (an unguarded flag in vt v0.1.0).
	go io.Copy(io.Discard, emu)
	return &term{emu: emu, tm: tm}
}

// wait polls the rebuilt screen until it shows want.
func (tt *term) wait(t *testing.T, want string) {
	t.Helper()
	fed := 0
	teatest.WaitFor(t, tt.tm.Output(), func(b []byte) bool {
		tt.emu.Write(b[fed:])
		fed = len(b)
		return strings.Contains(tt.emu.String(), want)
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func (tt *term) finish(t *testing.T) Model {
	// ctrl+c twice: the first asks, attempts not being saved.
	tt.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tt.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	m := tt.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	m.Close()
	return m
}

func (tt *term) answer(t *testing.T, user, password string) {
	tt.tm.Send(enter) // pick the preselected scheme
	tt.wait(t, "Password")
	if user != "" {
		tt.tm.Type(user)
	}
	tt.tm.Send(tab)
	tt.tm.Type(password)
	tt.tm.Send(enter)
}

func TestFlowBasicInATerminal(t *testing.T) {
	tt := newTerm(t, 120, 40)
	tt.wait(t, "Press enter to send")
	tt.tm.Send(enter)
	tt.wait(t, "Basic is preselected")
	tt.answer(t, "alice", "wonderland")
	tt.wait(t, "200 OK")
	m := tt.finish(t)

	as := m.sess.Attempts()
	if len(as) != 2 || as[0].Status() != 401 || as[1].Status() != 200 || as[1].Scheme != "Basic" {
		t.Fatalf("attempts: %d, want 401 then 200 with Basic", len(as))
	}
	if len(m.tl.attempts) != 2 || !m.lesson.done {
		t.Fatalf("timeline has %d rows, lesson done %v", len(m.tl.attempts), m.lesson.done)
	}
}

func TestFlowWrongPasswordInATerminal(t *testing.T) {
	tt := newTerm(t, 120, 40)
	tt.wait(t, "Press enter to send")
	tt.tm.Send(enter)
	tt.wait(t, "Basic is preselected")
	tt.answer(t, "alice", "not-it")
	tt.wait(t, "Attempt 2: 401")
	tt.wait(t, "refused") // the panel says why the attempt failed
	// The cursor waits in the emptied Password field, the user name kept.
	tt.tm.Type("wonderland")
	tt.tm.Send(enter)
	tt.wait(t, "Attempt 3: 200 OK")
	m := tt.finish(t)

	as := m.sess.Attempts()
	if len(as) != 3 || as[1].Status() != 401 || as[2].Status() != 200 {
		t.Fatalf("attempts: %d, want 401, 401, 200", len(as))
	}
}
