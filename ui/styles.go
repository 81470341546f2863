package ui

import (
	"image/color"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

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
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
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
	ta := textarea.DefaultStyles(isDark)
	ta.Cursor.Blink = false
	return ti, ta
}
