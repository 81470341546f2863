package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// termProfile is the colour profile of the terminal the TUI draws on, set by
// Run before the model is built; in tests it is unknown and colours are
// left as made.
//
// On a terminal of 256 or 16 colours, every colour the TUI draws with is
// made in that palette once, when its style is made (forTerm), and Bubble
// Tea is told the terminal takes colours as they are (rendererProfile).
// Otherwise its renderer converts the colours of every cell it draws, on
// every frame, by a locked map look-up per colour: a fifth of drawing the
// first frame. TestColoursAreMadeForTheTerminal checks that no colour is left
// out.
var termProfile colorprofile.Profile

// forTerm is c as the terminal shows it: the nearest of its 256 or 16
// colours, as Bubble Tea's renderer would choose it.
func forTerm(c color.Color) color.Color {
	if _, none := c.(lipgloss.NoColor); none || c == nil || !converts(termProfile) {
		return c
	}
	return termProfile.Convert(c)
}

// converts reports whether colours are made beforehand for a terminal of profile p.
func converts(p colorprofile.Profile) bool {
	return p == colorprofile.ANSI || p == colorprofile.ANSI256
}

// rendererProfile is the profile Bubble Tea renders with on a terminal of
// profile p: one that passes colours through where they are already made in
// p; p itself otherwise (no colour, or the terminal takes any).
func rendererProfile(p colorprofile.Profile) colorprofile.Profile {
	if converts(p) {
		return colorprofile.TrueColor
	}
	return p
}

// styleForTerm is s with each colour it has made for the terminal.
func styleForTerm(s lipgloss.Style) lipgloss.Style {
	if !converts(termProfile) {
		return s
	}
	set := func(get func() color.Color, put func(color.Color) lipgloss.Style) {
		if c := get(); c != nil {
			if _, none := c.(lipgloss.NoColor); !none {
				s = put(forTerm(c))
			}
		}
	}
	set(s.GetForeground, s.Foreground)
	set(s.GetBackground, s.Background)
	set(s.GetUnderlineColor, s.UnderlineColor)
	set(s.GetBorderTopForeground, s.BorderTopForeground)
	set(s.GetBorderRightForeground, s.BorderRightForeground)
	set(s.GetBorderBottomForeground, s.BorderBottomForeground)
	set(s.GetBorderLeftForeground, s.BorderLeftForeground)
	set(s.GetBorderTopBackground, s.BorderTopBackground)
	set(s.GetBorderRightBackground, s.BorderRightBackground)
	set(s.GetBorderBottomBackground, s.BorderBottomBackground)
	set(s.GetBorderLeftBackground, s.BorderLeftBackground)
	return s
}

// Styles is every style the TUI draws with, built for a light or dark terminal.
type Styles struct {
	Title lipgloss.Style // section titles
	// Frames of the panes, and their titles; the focused pane's in the accent colour.
	Border, BorderFocus         lipgloss.Style
	FrameTitle, FrameTitleFocus lipgloss.Style
	TitleFocus                  lipgloss.Style // the title of the focused section
	Label                       lipgloss.Style
	Muted                       lipgloss.Style
	Method                      lipgloss.Style
	Selected                    lipgloss.Style // the cursor row of a list
	Status                      struct {
		OK, Redirect, ClientErr, ServerErr, None lipgloss.Style
	}
	Finding struct {
		Info, Warning, Error lipgloss.Style
	}
	Line struct {
		Info, Error lipgloss.Style // the status line
	}
	// Syntax colours bodies (highlight.go); Match marks what a search found.
	Syntax struct {
		Key, String, Number, Keyword, Punct lipgloss.Style
	}
	Match  lipgloss.Style
	Secret lipgloss.Style // a revealed credential
	Done   lipgloss.Style
	isDark bool
	// edge and edgeOn are Border and BorderFocus as colour sequences.
	edge, edgeOn sgrPair
}

// NewStyles builds the styles for a dark or light background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return forTerm(ld(lipgloss.Color(light), lipgloss.Color(dark))) }
	accent := c("#5A3FC0", "#B9A6FF")
	var s Styles
	s.isDark = isDark
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(c("#555555", "#AAAAAA"))
	s.TitleFocus = lipgloss.NewStyle().Bold(true).Foreground(accent).Underline(true)
	s.Border = lipgloss.NewStyle().Foreground(c("#A8A8A8", "#5C5C5C"))
	s.BorderFocus = lipgloss.NewStyle().Foreground(accent)
	s.edge, s.edgeOn = sgrOf(s.Border), sgrOf(s.BorderFocus)
	s.FrameTitle = lipgloss.NewStyle().Bold(true).Foreground(c("#555555", "#AAAAAA"))
	s.FrameTitleFocus = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Label = lipgloss.NewStyle().Foreground(c("#555555", "#AAAAAA"))
	// Muted text still reads at 4.5:1 on white and black, 3:1 on grey themes.
	s.Muted = lipgloss.NewStyle().Foreground(c("#6E6E6E", "#949494"))
	s.Method = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	s.Status.OK = lipgloss.NewStyle().Bold(true).Foreground(c("#1A7F37", "#56D364"))
	s.Status.Redirect = lipgloss.NewStyle().Bold(true).Foreground(c("#0969DA", "#58A6FF"))
	s.Status.ClientErr = lipgloss.NewStyle().Bold(true).Foreground(c("#9A6700", "#E3B341"))
	s.Status.ServerErr = lipgloss.NewStyle().Bold(true).Foreground(c("#CF222E", "#FF7B72"))
	s.Status.None = lipgloss.NewStyle().Bold(true).Foreground(c("#CF222E", "#FF7B72"))
	s.Finding.Info = lipgloss.NewStyle().Foreground(c("#0969DA", "#58A6FF"))
	s.Finding.Warning = lipgloss.NewStyle().Foreground(c("#9A6700", "#E3B341"))
	s.Finding.Error = lipgloss.NewStyle().Foreground(c("#CF222E", "#FF7B72"))
	s.Line.Info = lipgloss.NewStyle().Foreground(c("#333333", "#DDDDDD"))
	s.Line.Error = lipgloss.NewStyle().Bold(true).Foreground(c("#CF222E", "#FF7B72"))
	s.Secret = lipgloss.NewStyle().Foreground(c("#CF222E", "#FF7B72"))
	s.Syntax.Key = lipgloss.NewStyle().Foreground(c("#0550AE", "#79C0FF"))
	s.Syntax.String = lipgloss.NewStyle().Foreground(c("#116329", "#7EE787"))
	s.Syntax.Number = lipgloss.NewStyle().Foreground(c("#953800", "#FFA657"))
	s.Syntax.Keyword = lipgloss.NewStyle().Foreground(c("#8250DF", "#D2A8FF"))
	s.Syntax.Punct = lipgloss.NewStyle().Foreground(c("#6E6E6E", "#949494"))
	s.Match = lipgloss.NewStyle().Reverse(true).Bold(true)
	s.Done = lipgloss.NewStyle().Bold(true).Foreground(c("#1A7F37", "#56D364"))
	return s
}

// statusStyle colours a status code by its class; 0 means no response came.
func (s Styles) statusStyle(code int) lipgloss.Style {
	switch {
	case code >= 500:
		return s.Status.ServerErr
	case code >= 400:
		return s.Status.ClientErr
	case code >= 300:
		return s.Status.Redirect
	case code >= 200:
		return s.Status.OK
	}
	return s.Status.None
}

func (s Styles) findingStyle(severity string) lipgloss.Style {
	switch severity {
	case "error":
		return s.Finding.Error
	case "warning":
		return s.Finding.Warning
	}
	return s.Finding.Info
}

// inputStyles are the text fields' styles for the background. The cursor
// does not blink: a blinking cursor redraws the screen twice a second for
// nothing, and a steady one is easier to find.
func inputStyles(isDark bool) (textinput.Styles, textarea.Styles) {
	ti := textinput.DefaultStyles(isDark)
	ti.Cursor.Blink = false
	ti.Cursor.Color = forTerm(ti.Cursor.Color)
	for _, st := range []*textinput.StyleState{&ti.Focused, &ti.Blurred} {
		for _, s := range []*lipgloss.Style{&st.Text, &st.Placeholder, &st.Suggestion, &st.Prompt} {
			*s = styleForTerm(*s)
		}
	}
	ta := textarea.DefaultStyles(isDark)
	ta.Cursor.Blink = false
	ta.Cursor.Color = forTerm(ta.Cursor.Color)
	for _, st := range []*textarea.StyleState{&ta.Focused, &ta.Blurred} {
		for _, s := range []*lipgloss.Style{&st.Base, &st.Text, &st.LineNumber, &st.CursorLineNumber,
			&st.CursorLine, &st.EndOfBuffer, &st.Placeholder, &st.Prompt, &st.Selection} {
			*s = styleForTerm(*s)
		}
	}
	return ti, ta
}

// helpStyles are the help bar's styles for the background.
func helpStyles(isDark bool) help.Styles {
	h := help.DefaultStyles(isDark)
	for _, s := range []*lipgloss.Style{&h.Ellipsis, &h.ShortKey, &h.ShortDesc, &h.ShortSeparator,
		&h.FullKey, &h.FullDesc, &h.FullSeparator} {
		*s = styleForTerm(*s)
	}
	return h
}
