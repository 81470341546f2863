package ui

import (
	"fmt"

	"github.com/charmbracelet/x/ansi"

	"keyhole/credentials"
	"keyhole/session"
)

// timeline lists every attempt, one row each; the selected row is the one the
// response area shows.
type timeline struct {
	attempts []*session.Attempt
	cursor   int
	follow   bool      // keep the newest attempt selected
	top      int       // first row shown after the wheel scrolled the list
	scrolled bool      // the wheel moved the list away from the cursor
	cache    *rowCache // shared by the model's copies, so a frame reuses the last one's rows
}

// rowCache keeps each attempt's row as drawn for one width and palette: an
// attempt does not change once listed, and styling a thousand rows per frame
// was most of a frame's time.
type rowCache struct {
	width int
	dark  bool
	rows  map[*session.Attempt]cachedRow
}

type cachedRow struct{ styled, plain string }

func newTimeline() timeline { return timeline{follow: true, cache: &rowCache{}} }

func (t *timeline) set(as []*session.Attempt) {
	t.attempts = as
	if t.follow || t.cursor >= len(as) {
		t.cursor = len(as) - 1
		t.scrolled = false
	}
}

func (t *timeline) move(d int) {
	if len(t.attempts) == 0 {
		return
	}
	t.pick(t.cursor + d)
}

// pick selects attempt index i and brings the list back to the cursor.
func (t *timeline) pick(i int) {
	t.cursor = min(max(i, 0), len(t.attempts)-1)
	t.follow = t.cursor == len(t.attempts)-1
	t.scrolled = false
}

// scroll moves the list by d rows without moving the selection, rows being
// how many are shown.
func (t *timeline) scroll(d, rows int) {
	if rows <= 0 || len(t.attempts) <= rows {
		return
	}
	t.top = min(max(t.first(rows)+d, 0), len(t.attempts)-rows)
	t.scrolled = true
}

func (t timeline) selected() *session.Attempt {
	if t.cursor < 0 || t.cursor >= len(t.attempts) {
		return nil
	}
	return t.attempts[t.cursor]
}

// outcome says how an attempt ended in a few characters.
func outcome(a *session.Attempt) string {
	if s := a.Status(); s != 0 {
		return fmt.Sprint(s)
	}
	if a.Exchange != nil && a.Exchange.Err != nil {
		return "✗ " + safeLine(a.Exchange.Err.Error())
	}
	return "—"
}

// row draws a's row in w columns: number, time, status coloured by class,
// method, scheme, what it was for, the URL cut to fit, and why keyhole sent
// it on its own. Parts are cut before styling so the ellipsis lands inside.
func (t timeline) row(st Styles, a *session.Attempt, w int) cachedRow {
	c := t.cache
	if c == nil {
		c = &rowCache{}
	}
	if c.width != w || c.dark != st.isDark || c.rows == nil {
		*c = rowCache{width: w, dark: st.isDark, rows: map[*session.Attempt]cachedRow{}}
	}
	if r, ok := c.rows[a]; ok {
		return r
	}
	scheme := a.Scheme
	if scheme == "" {
		scheme = "none"
	}
	method, url := "?", ""
	if a.Exchange != nil && a.Exchange.Request != nil {
		method, url = safeLine(a.Exchange.Request.Method), safeLine(credentials.RedactURL(a.Exchange.Request.URL))
	}
	mark := " "
	if a.Auto != "" {
		mark = "↻" // sent by keyhole on its own
	}
	status := ansi.Truncate(outcome(a), 16, "…")
	lead := fmt.Sprintf("%s%3d %s ", mark, a.N, a.Started.Format("15:04:05"))
	mid := fmt.Sprintf(" %-7s %-6s ", ansi.Truncate(method, 7, "…"), ansi.Truncate(safeLine(scheme), 12, "…"))
	if a.Purpose != "" && a.Purpose != session.PurposeRequest {
		mid += "[" + a.Purpose + "] "
	}
	statusW := max(3, ansi.StringWidth(status))
	room := w - ansi.StringWidth(lead) - statusW - ansi.StringWidth(mid)
	auto := ""
	if a.Auto != "" {
		auto = "  ↻ auto: " + safeLine(a.Auto)
	}
	// The reason for an automatic attempt matters more than the URL's middle:
	// it gets its room as long as the URL keeps 16 columns.
	urlW := min(ansi.StringWidth(url), max(room-ansi.StringWidth(auto), min(room, 16)))
	url = cutMiddle(url, max(urlW, 0))
	auto = ansi.Truncate(auto, max(room-ansi.StringWidth(url), 0), "…")
	status = padRight(status, statusW)
	plain := lead + status + mid + url + auto
	styled := lead + st.statusStyle(a.Status()).Render(status) + mid + url + st.Muted.Render(auto)
	r := cachedRow{styled: ansi.Truncate(styled, w, "…"), plain: ansi.Truncate(plain, w, "…")}
	c.rows[a] = r
	return r
}

// view renders up to h rows of w columns, keeping the cursor in sight; only
// the rows on screen are drawn.
func (t timeline) view(st Styles, on bool, w, h int) []string {
	title := st.Title
	if on {
		title = st.TitleFocus
	}
	out := []string{title.Render("Timeline") + " " + st.Muted.Render(count(len(t.attempts), "attempt"))}
	rows := h - 1
	if rows <= 0 {
		return out[:min(len(out), max(h, 0))]
	}
	for i := t.first(rows); i < len(t.attempts) && len(out) <= rows; i++ {
		r := t.row(st, t.attempts[i], w)
		if i == t.cursor {
			out = append(out, st.Selected.Render(pad(r.plain, w)))
			continue
		}
		out = append(out, r.styled)
	}
	return out
}

// first is the first attempt shown in rows: where the wheel left the list,
// else so that the cursor stays in sight.
func (t timeline) first(rows int) int {
	if t.scrolled {
		return min(max(t.top, 0), max(len(t.attempts)-rows, 0))
	}
	return max(0, t.cursor-rows+1)
}

// cutMiddle fits s in w columns by cutting its middle: a URL keeps its origin
// and the end of its path, the parts that tell attempts apart.
func cutMiddle(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw <= w {
		return s
	}
	if w < 8 {
		return ansi.Truncate(s, w, "…")
	}
	head := (w - 1) / 2
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, sw-(w-1-head), "")
}
