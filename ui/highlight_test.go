package ui

import (
	"strings"
	"testing"
)

// JSON rows are lexed alone: a member's name is coloured as a name, its
// value as a value, and an array value or a closing bracket on its own row
// is coloured as in a whole document.
func TestJSONRowsAreColouredAlone(t *testing.T) {
	st := NewStyles(true)
	c := &hlCache{}
	for _, tc := range []struct{ row, want string }{
		{`  "user": "alice",`, st.Syntax.Key.Render(`"user"`) + st.Syntax.Punct.Render(":") + " " + st.Syntax.String.Render(`"alice"`) + st.Syntax.Punct.Render(",")},
		{`  "n": 42`, st.Syntax.Key.Render(`"n"`) + st.Syntax.Punct.Render(":") + " " + st.Syntax.Number.Render("42")},
		{`    "S256",`, st.Syntax.String.Render(`"S256"`) + st.Syntax.Punct.Render(",")},
		{`  "ok": true,`, st.Syntax.Key.Render(`"ok"`) + st.Syntax.Punct.Render(":") + " " + st.Syntax.Keyword.Render("true") + st.Syntax.Punct.Render(",")},
		{`  ],`, st.Syntax.Punct.Render("],")},
		{`  "a:b": "x\"y:"`, st.Syntax.Key.Render(`"a:b"`) + st.Syntax.Punct.Render(":") + " " + st.Syntax.String.Render(`"x\"y:"`)},
		{`}`, st.Syntax.Punct.Render("}")},
	} {
		got := strings.TrimLeft(c.highlight(st, "json", tc.row), " ")
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.row, got, tc.want)
		}
	}
	if got := c.highlight(st, synForm, "a=1&b=x"); got != st.Syntax.Key.Render("a")+st.Syntax.Punct.Render("=")+st.Syntax.String.Render("1")+
		st.Syntax.Punct.Render("&")+st.Syntax.Key.Render("b")+st.Syntax.Punct.Render("=")+st.Syntax.String.Render("x") {
		t.Errorf("form data: %q", got)
	}
}

// XML and HTML rows: tag names and attribute names as names, attribute
// values as strings, comments muted, text plain, a lone '<' is text.
func TestMarkupRowsAreColoured(t *testing.T) {
	st := NewStyles(true)
	c := &hlCache{}
	for _, tc := range []struct {
		syn       syntax
		row, want string
	}{
		{"xml", `<user id="7">alice &amp; bob</user>`, st.Syntax.Key.Render("<user") + " " + st.Syntax.Key.Render("id") + st.Syntax.Punct.Render("=") + st.Syntax.String.Render(`"7"`) +
			st.Syntax.Key.Render(">") + "alice " + st.Syntax.Key.Render("&amp;") + " bob" + st.Syntax.Key.Render("</user>")},
		{"html", `<!-- note --> <br/>`, st.Muted.Render("<!-- note -->") + " " + st.Syntax.Key.Render("<br/>")},
		{"xml", `<?xml version="1.0"?>`, st.Muted.Render(`<?xml version="1.0"?>`)},
		{"html", `a < b`, "a < b"},
	} {
		if got := c.highlight(st, tc.syn, tc.row); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.row, got, tc.want)
		}
	}
}
