package ui

import (
	"bytes"
	"image/color"
	"os"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// onTerminal is what Bubble Tea's renderer writes to draw content on a
// fresh w x h terminal with colour profile p.
func onTerminal(content string, w, h int, p colorprofile.Profile) string {
	var out bytes.Buffer
	scr := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
	scr.SetColorProfile(p)
	scr.Resize(w, h)
	buf := uv.NewScreenBuffer(w, h)
	uv.NewStyledString(content).Draw(buf, buf.Bounds())
	scr.Render(buf.RenderBuffer)
	scr.Flush()
	return out.String()
}

// withTermProfile runs f with the terminal's colour profile set to p, as Run sets it.
func withTermProfile(p colorprofile.Profile, f func()) {
	was := termProfile
	termProfile = p
	defer func() { termProfile = was }()
	f()
}

var sgrParams = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// On a terminal of 256 or 16 colours the TUI makes its colours in the
// terminal's palette and Bubble Tea passes them through: the terminal must
// get exactly what Bubble Tea would have sent converting each cell itself,
// and a colour left out would go as 24-bit to a terminal that cannot show it.
func TestColoursAreMadeForTheTerminal(t *testing.T) {
	overlays := map[string][]tea.Msg{"": nil, "help": {tea.KeyPressMsg{Code: tea.KeyF1}}, "palette": {ctrlP}}
	for _, p := range []colorprofile.Profile{colorprofile.ANSI256, colorprofile.ANSI} {
		if rendererProfile(p) != colorprofile.TrueColor {
			t.Fatalf("rendererProfile(%v) = %v, want TrueColor (colours already made)", p, rendererProfile(p))
		}
		for _, sc := range goldenScenes {
			for name, open := range overlays {
				for _, bg := range []color.Color{color.White, color.Black} {
					var asMade, made Model
					asMade = sc.open(t, 120, 40, bg)
					withTermProfile(p, func() { made = sc.open(t, 120, 40, bg) })
					if open != nil {
						asMade, made = press(t, asMade, open...), press(t, made, open...)
					}
					want := onTerminal(fingerprint.ReplaceAllString(asMade.View().Content, "fp:0"), 120, 40, p)
					got := onTerminal(fingerprint.ReplaceAllString(made.View().Content, "fp:0"), 120, 40, rendererProfile(p))
					if got != want {
						t.Errorf("%v, %s %s: the terminal gets other bytes than Bubble Tea's own conversion sends", p, sc.name, name)
					}
					coloured := false
					for _, m := range sgrParams.FindAllStringSubmatch(got, -1) {
						ps := strings.Split(strings.ReplaceAll(m[1], ":", ";"), ";")
						for i, v := range ps {
							if (v == "38" || v == "48" || v == "58") && i+1 < len(ps) {
								coloured = true
								if ps[i+1] == "2" || p == colorprofile.ANSI {
									t.Errorf("%v, %s %s: colour %q sent to a terminal of %v", p, sc.name, name, m[0], p)
								}
							}
							if n := len(v); n == 2 && (v[0] == '3' || v[0] == '9') {
								coloured = true
							}
						}
					}
					if !coloured {
						t.Errorf("%v, %s %s: no colour on screen", p, sc.name, name)
					}
				}
			}
		}
	}
}

// The first frame of keyhole URL on a 120x40 terminal of 256 colours, as
// Bubble Tea is handed it: every colour already in the palette. With
// KEYHOLE_FRAME_FILE set, it is written there for bench/floor, which
// bench/run.sh measures keyhole's first frame against.
func TestFirstFrame(t *testing.T) {
	var frame string
	withTermProfile(colorprofile.ANSI256, func() {
		var m tea.Model = New(Options{URL: "http://127.0.0.1:1/basic"})
		m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		frame = m.View().Content
	})
	plain := ansi.Strip(frame)
	mustContain(t, plain, "Request", "http://127.0.0.1:1/basic", "Explanation", "Response", "Timeline")
	if got := strings.Count(plain, "\n") + 1; got != 40 {
		t.Errorf("the first frame has %d lines, want 40", got)
	}
	if strings.Contains(frame, "38;2;") || strings.Contains(frame, "48;2;") {
		t.Error("the first frame has a 24-bit colour on a terminal of 256")
	}
	if path := os.Getenv("KEYHOLE_FRAME_FILE"); path != "" {
		if err := os.WriteFile(path, []byte(frame), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
