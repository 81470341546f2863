package ui

import (
	"fmt"
	"net/url"
	"strings"

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

// outcome says how an attempt ended, in the status column, and what went
// wrong when no status came (said at the end of the row).
func outcome(a *session.Attempt) (status, why string) {
	if s := a.Status(); s != 0 {
		return fmt.Sprint(s), ""
	}
	if a.Exchange != nil && a.Exchange.Err != nil {
		msg := safeLine(a.Exchange.Err.Error())
		if strings.Contains(msg, "context canceled") {
			return "—", "cancelled"
		}
		return "✗", msg
	}
	return "—", "not sent"
}

// sentWhat says in at most w columns what credentials an attempt carried,
// every one of them, in the session's record of it (Attempt.Carried):
// "Basic alice, proxy Basic alice", "Bearer (headers)", "none". Details
// (user, algorithm) go from the last credential back when they do not fit.
func sentWhat(a *session.Attempt, w int) string {
	if len(a.Carried) == 0 {
		return "none"
	}
	var s string
	for keep := len(a.Carried); keep >= 0; keep-- { // the first keep credentials keep their details
		parts := make([]string, len(a.Carried))
		for i, c := range a.Carried {
			parts[i] = carriedShort(c, i < keep)
		}
		if s = strings.Join(parts, ", "); ansi.StringWidth(s) <= w {
			return s
		}
	}
	return ansi.Truncate(s, w, "…")
}

// carriedShort is one credential carried, with its detail or without.
func carriedShort(c session.Carried, detail bool) string {
	s := c.Scheme
	if s == "client secret" && !c.FromHeaders {
		// The session's words for a token request's form body
		// (client_secret_post). "form secret" names the method as "Basic"
		// names the header, and with the client id fits the 24 columns of
		// a row at 120, where "client secret post-client" lost the client
		// id, or read as the method client_secret_post.
		s = "form secret"
	}
	if c.Proxy {
		s = "proxy " + s
	}
	if detail && c.Detail != "" {
		s += " " + c.Detail
	}
	if c.FromHeaders {
		s += " (" + strings.TrimPrefix(c.Source, "the ") + ")" // the user's own header: "(-H)", "(headers)"
	}
	return safeLine(s)
}

// pathFirst writes a URL as its path, then its host: "/digest/sha512 ·
// 127.0.0.1:8401", the part that tells attempts apart first. Past w
// columns the host goes, then the path is cut in its middle.
func pathFirst(raw string, w int) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return cutMiddle(raw, w)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	path = safeLine(path)
	full := path + " · " + safeLine(u.Host)
	if ansi.StringWidth(full) <= w {
		return full
	}
	return cutMiddle(path, w)
}

// Column widths of a timeline row; the path takes what is left.
const (
	tlStatus = 3
	tlMethod = 7
)

// sentCols is the width of a row's "what was sent" column in a row of w
// columns: "Basic, proxy Basic" at 80 columns, "Basic alice, proxy Basic" at
// 120, the path keeping 30 columns.
func sentCols(w int) int { return min(max(w-57, 16), 24) }

// row draws a's row in w columns, every kind of row (cancelled, failed,
// token request) with the same columns: mark, number, time, status coloured
// by class, method, what was sent, the path and host, then what is worth
// saying (what the attempt was for, why keyhole sent it, what went wrong).
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
	method, raw := "?", ""
	if a.Exchange != nil && a.Exchange.Request != nil {
		method, raw = safeLine(a.Exchange.Request.Method), credentials.RedactURL(a.Exchange.Request.URL)
	}
	mark := " "
	if a.Auto != "" {
		mark = "↻" // sent by keyhole on its own
	}
	status, why := outcome(a)
	var tail []string
	if l := a.Label(); l != "" {
		tail = append(tail, "["+l+"]")
	}
	if why != "" {
		tail = append(tail, why)
	}
	if a.Auto != "" {
		tail = append(tail, "auto: "+safeLine(a.Auto))
	}
	lead := fmt.Sprintf("%s%3d %s ", mark, a.N, a.Started.Format("15:04:05"))
	mid := " " + padCols(ansi.Truncate(method, tlMethod, "…"), tlMethod) + " " +
		padCols(sentWhat(a, sentCols(w)), sentCols(w)) + " "
	rest := strings.Join(tail, "  ")
	room := w - ansi.StringWidth(lead) - tlStatus - ansi.StringWidth(mid)
	if rest != "" {
		rest = "  " + rest
	}
	// What is worth saying gets its room as long as the path keeps 28 columns;
	// the row's explanation says it whole.
	pathW := max(min(room, max(room-ansi.StringWidth(rest), 28)), 0)
	where := pathFirst(raw, pathW)
	rest = ansi.Truncate(rest, max(room-ansi.StringWidth(where), 0), "…")
	status = padCols(status, tlStatus)
	plain := lead + status + mid + where + rest
	styled := lead + st.statusStyle(a.Status()).Render(status) + mid + where + st.Muted.Render(rest)
	r := cachedRow{styled: ansi.Truncate(styled, w, "…"), plain: ansi.Truncate(plain, w, "…")}
	c.rows[a] = r
	return r
}

// padCols pads s with spaces to n columns.
func padCols(s string, n int) string {
	if d := n - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// view renders h rows of w columns, keeping the cursor in sight; only the
// rows on screen are drawn. The pane's frame carries its title.
func (t timeline) view(st Styles, w, h int) []string {
	if len(t.attempts) == 0 {
		return []string{st.Muted.Render("No attempts yet: every request sent is listed here.")}
	}
	var out []string
	for i := t.first(h); i < len(t.attempts) && len(out) < h; i++ {
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
