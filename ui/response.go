package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// response shows one attempt: the request as sent, then the answer. Its lines
// are computed when the attempt or the width changes, never per frame, and
// View renders only the rows on screen, so a 50 MiB body scrolls like a small one.
type response struct {
	n      int      // the attempt shown; 0 for none
	head   []string // request, status, timings and headers
	logic  []string // body lines, safe for the terminal, not wrapped
	body   []string // logic wrapped to width
	doc    *bodyDoc // the body, drawn row by row; takes over logic and body
	docN   int      // the attempt doc belongs to: a doc left from another is not shown
	note   string   // shown while the body is being formatted
	top    int
	width  int
	height int
}

func (r *response) SetSize(w, h int) { r.width, r.height = max(w, 1), max(h, 1); r.clamp() }

// setDoc shows d as the body; nil clears it. The doc it replaces is closed:
// nothing else holds it, and its spill file would stay open until collected.
func (r *response) setDoc(d *bodyDoc) {
	if r.doc != nil && r.doc != d {
		r.doc.close()
	}
	r.doc, r.docN, r.logic, r.body = d, r.n, nil, nil
	r.clamp()
}

// shownDoc is the doc of the attempt shown, if it has one.
func (r *response) shownDoc() *bodyDoc {
	if r.doc != nil && r.docN == r.n && r.body == nil {
		return r.doc
	}
	return nil
}

func (r *response) bodyRows() int {
	if d := r.shownDoc(); d != nil {
		return d.rowsAt(r.width).total
	}
	return len(r.body)
}

func (r *response) total() int { return len(r.head) + r.bodyRows() }

func (r *response) line(i int) string {
	switch {
	case i < len(r.head):
		return r.head[i]
	case r.shownDoc() != nil:
		return r.doc.row(i-len(r.head), r.width)
	}
	return r.body[i-len(r.head)]
}

func (r *response) scroll(d int) { r.top += d; r.clamp() }

func (r *response) clamp() {
	r.top = min(r.top, r.total()-r.height)
	r.top = max(r.top, 0)
}

func (r *response) view() []string {
	out := make([]string, 0, r.height)
	for i := r.top; i < r.total() && len(out) < r.height; i++ {
		out = append(out, r.line(i))
	}
	if r.note != "" && len(out) < r.height {
		out = append(out, r.note)
	}
	return out
}

// headLines describes a as sent and as answered. Credentials in the request
// are masked unless reveal is set.
func headLines(a *session.Attempt, st Styles, reveal bool) []string {
	ex := a.Exchange
	var out []string
	if ex == nil {
		return []string{st.Muted.Render("nothing was sent")}
	}
	if rq := ex.Request; rq != nil {
		u := rq.URL
		if !reveal {
			u = credentials.RedactURL(u)
		}
		out = append(out, st.Title.Render("Request")+" "+st.Method.Render(rq.Method)+" "+safeLine(u))
		for _, name := range slices.Sorted(maps.Keys(rq.Header)) {
			for _, v := range rq.Header[name] {
				shown := credentials.MaskHeader(name, v)
				if reveal && credentials.IsSecretHeader(name) {
					shown = st.Secret.Render(safeLine(v))
				} else {
					shown = safeLine(shown)
				}
				out = append(out, "  "+st.Label.Render(safeLine(name)+":")+" "+shown)
			}
		}
		if len(rq.Body) > 0 {
			out = append(out, st.Muted.Render(fmt.Sprintf("  (%d bytes of body)", len(rq.Body))))
		}
	}
	for _, h := range ex.Redirects {
		note := ""
		if len(h.Dropped) > 0 {
			note = " (not resent to another origin: " + strings.Join(h.Dropped, ", ") + ")"
		} else if h.CredentialsResent {
			note = " (credentials resent)"
		}
		out = append(out, st.statusStyle(h.Status).Render(fmt.Sprint(h.Status))+" → "+safeLine(h.To)+note)
	}
	resp := ex.Response
	if resp == nil {
		msg := "no response"
		if ex.Err != nil {
			msg = safeLine(ex.Err.Error())
		}
		return append(out, st.Status.None.Render("✗ "+msg))
	}
	status := st.statusStyle(resp.Status).Render(fmt.Sprintf("%d %s", resp.Status, safeLine(resp.StatusText)))
	out = append(out, st.Title.Render("Response")+" "+status+"  "+st.Muted.Render(safeLine(resp.Proto)))
	out = append(out, st.Muted.Render(timingLine(ex.Timing)))
	for _, name := range slices.Sorted(maps.Keys(resp.Header)) {
		for _, v := range resp.Header[name] {
			out = append(out, "  "+st.Label.Render(safeLine(name)+":")+" "+safeLine(credentials.MaskHeader(name, v)))
		}
	}
	if ex.Err != nil {
		out = append(out, st.Status.None.Render("✗ "+safeLine(ex.Err.Error())))
	}
	if resp.Truncated && resp.Spill != "" {
		// Short, and the path on a line of its own: head lines are cut, not wrapped.
		return append(out, st.Title.Render("Body")+" "+st.Finding.Warning.Render(fmt.Sprintf(
			"%s; past %s it scrolls in from", byteSize(resp.BodyBytes), byteSize(int64(len(resp.Body))))),
			"  "+st.Muted.Render(safeLine(resp.Spill)))
	}
	if resp.Truncated {
		// Said in the warning colour: a cut JSON body otherwise reads as a server bug.
		return append(out, st.Title.Render("Body")+" "+st.Finding.Warning.Render(fmt.Sprintf(
			"showing the first %s of %s (the client's body limit)", byteSize(int64(len(resp.Body))), byteSize(resp.BodyBytes))))
	}
	return append(out, st.Title.Render("Body")+" "+st.Muted.Render(byteSize(resp.BodyBytes)))
}

// byteSize says n in the unit a person reads best: 512 bytes, 3.4 KiB, 61 MiB.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 100<<20:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MiB"
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

func timingLine(t httpclient.Timing) string {
	parts := []string{"total " + round(t.Total)}
	for _, p := range []struct {
		n string
		d time.Duration
	}{{"dns", t.DNS}, {"connect", t.Connect}, {"tls", t.TLS}, {"first byte", t.FirstByte}} {
		if p.d > 0 {
			parts = append(parts, p.n+" "+round(p.d))
		}
	}
	return "  " + strings.Join(parts, " · ")
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// bodyText draws every line of a body, unwrapped (see formatBody). It holds
// the whole formatted text in memory; a big body shown through setDoc does not.
func bodyText(resp *httpclient.Response) []string { return formatBody(resp).all() }

// wrap breaks lines wider than width; lines are plain text, without escapes.
func wrap(lines []string, width int) []string {
	width = max(width, 1)
	var out []string
	for i, l := range lines {
		// A line's byte length bounds its display width, so most lines skip the measuring.
		if len(l) <= width || ansi.StringWidth(l) <= width {
			if out != nil {
				out = append(out, l)
			}
			continue
		}
		if out == nil {
			out = make([]string, i, len(lines)+len(lines)/4)
			copy(out, lines[:i])
		}
		out = append(out, softWrap(l, width)...)
	}
	if out == nil {
		return lines
	}
	return out
}
