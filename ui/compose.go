package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"

	"keyhole/httpclient"
)

// methods cycle in this order in the compose area.
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// compose is the request being written: method, URL, headers and body.
type compose struct {
	method  int
	url     textinput.Model
	headers textarea.Model
	body    textarea.Model
	width   int
	tall    bool // room for taller header and body fields
	palette int  // counts setDark calls: the fields' styles are part of what they draw
	drawn   *composeDrawn
}

// composeDrawn is the compose block as last drawn, with what it was drawn
// from. The text fields render their placeholders and styles anew on every
// View, about half of a frame; the block changes only when the user types,
// moves focus, resizes or the palette changes. It is a pointer so that the
// copies of the model Bubble Tea passes around share it; the key holds
// everything the lines depend on, so a copy in another state never reuses
// lines that are not its own.
type composeDrawn struct {
	key   composeKey
	lines []string
}

type composeKey struct {
	method, palette int
	f               focus
	url             inputKey
	headers, body   areaKey
}

// inputKey is what a textinput draws from when its value fits its width
// (then its scroll offset is 0; see SetSize).
type inputKey struct {
	value      string
	pos, width int
	focused    bool
}

// areaKey is what a textarea draws from. The cursor does not blink
// (inputStyles), so no blink state is needed.
type areaKey struct {
	value             string
	line, col, scroll int
	width, height     int
	focused, selected bool
	selStart, selEnd  textarea.Position
}

func keyOfArea(ta *textarea.Model) areaKey {
	k := areaKey{value: ta.Value(), line: ta.Line(), col: ta.Column(), scroll: ta.ScrollYOffset(),
		width: ta.Width(), height: ta.Height(), focused: ta.Focused()}
	k.selStart, k.selEnd, k.selected = ta.Selection()
	return k
}

func newCompose() compose {
	c := compose{url: textinput.New(), headers: textarea.New(), body: textarea.New(), drawn: &composeDrawn{}}
	c.setDark(true)
	c.url.Prompt = ""
	c.url.Placeholder = "https://example.com/protected"
	c.headers.Placeholder = "Name: value, one per line"
	c.body.Placeholder = "request body"
	for _, ta := range []*textarea.Model{&c.headers, &c.body} {
		ta.Prompt = ""
		ta.ShowLineNumbers = false
		ta.CharLimit = 0
	}
	return c
}

func (c *compose) setDark(isDark bool) {
	ti, ta := inputStyles(isDark)
	c.palette++
	c.url.SetStyles(ti)
	c.headers.SetStyles(ta)
	c.body.SetStyles(ta)
}

// Method is the selected method.
func (c compose) Method() string { return methods[c.method] }

// cycleMethod moves to the next (+1) or previous (-1) method.
func (c *compose) cycleMethod(d int) { c.method = (c.method + d + len(methods)) % len(methods) }

func (c *compose) setMethod(m string) {
	for i, x := range methods {
		if strings.EqualFold(x, m) {
			c.method = i
		}
	}
}

// Height is the rows the compose area takes.
func (c compose) Height() int { return 1 + c.headers.Height() + c.body.Height() }

const composeLabel = 9 // "Headers │"

func (c *compose) SetSize(w int, tall bool) {
	c.width, c.tall = w, tall
	c.url.SetWidth(max(w-composeLabel-10, 10))
	// SetWidth leaves the input's scroll offset as it was; setting the cursor
	// again recomputes it, so a URL that fits is drawn from offset 0, which
	// the cached block assumes.
	c.url.SetCursor(c.url.Position())
	hh, bh := 1, 1
	if tall {
		hh, bh = 3, 2
	}
	c.headers.SetWidth(max(w-composeLabel, 10))
	c.headers.SetHeight(hh)
	c.body.SetWidth(max(w-composeLabel, 10))
	c.body.SetHeight(bh)
}

// request builds the request, or says which line of the headers is wrong.
func (c compose) request() (httpclient.Request, error) {
	raw := strings.TrimSpace(c.url.Value())
	if raw == "" {
		return httpclient.Request{}, fmt.Errorf("the URL is empty; type one, e.g. http://127.0.0.1:8080/basic")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return httpclient.Request{}, fmt.Errorf("%q is not an http(s) URL with a host; write it as http://host/path", raw)
	}
	h := http.Header{}
	for i, line := range strings.Split(c.headers.Value(), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return httpclient.Request{}, fmt.Errorf("header line %d %q is not \"Name: value\"; fix or delete it", i+1, line)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	r := httpclient.Request{Method: c.Method(), URL: raw, Header: h}
	if b := c.body.Value(); b != "" {
		r.Body = []byte(b)
	}
	return r, nil
}

// view draws the compose block, or returns the lines drawn last time when
// nothing they depend on changed. The lines are shared: callers append to a
// copy (render starts its frame from them with a full slice expression).
func (c compose) view(st Styles, f focus) []string {
	url := inputKey{value: c.url.Value(), pos: c.url.Position(), width: c.url.Width(), focused: c.url.Focused()}
	// Bytes bound columns, so a URL no longer than its width in bytes fits.
	if c.drawn == nil || len(url.value) > url.width {
		// A URL wider than its field scrolls by an offset the input keeps to
		// itself: drawn each frame, as it is one line.
		return c.draw(st, f)
	}
	k := composeKey{method: c.method, palette: c.palette, f: f, url: url,
		headers: keyOfArea(&c.headers), body: keyOfArea(&c.body)}
	if c.drawn.lines != nil && c.drawn.key == k {
		return c.drawn.lines[:len(c.drawn.lines):len(c.drawn.lines)]
	}
	lines := c.draw(st, f)
	c.drawn.key, c.drawn.lines = k, lines
	return lines[:len(lines):len(lines)]
}

func (c compose) draw(st Styles, f focus) []string {
	title := func(s string, on bool) string {
		if on {
			return st.TitleFocus.Render(s)
		}
		return st.Title.Render(s)
	}
	method := st.Method.Render(fmt.Sprintf("%-7s", c.Method()))
	if f == focusMethod {
		method = st.Selected.Render(fmt.Sprintf("%-7s", c.Method()))
	}
	lines := []string{title("URL     ", f == focusURL) + " " + method + " " + c.url.View()}
	lines = append(lines, labelled(title("Headers ", f == focusHeaders), c.headers.View())...)
	lines = append(lines, labelled(title("Body    ", f == focusBody), c.body.View())...)
	return lines
}

// labelled puts label before the first line of block and indents the rest.
func labelled(label, block string) []string {
	pad := strings.Repeat(" ", composeLabel-1)
	var out []string
	for i, l := range strings.Split(block, "\n") {
		if i == 0 {
			out = append(out, label+" "+l)
		} else {
			out = append(out, pad+" "+l)
		}
	}
	return out
}
