package ui

import (
	"strings"
	"testing"
)

// JSON rows are lexed alone, each in the state its first token needs: a
// member's name is coloured as a name, its value as a value, and an array
// value or a closing bracket is not an error.
func TestJSONRowsAreColouredAlone(t *testing.T) {
	st := NewStyles(true)
	c := &hlCache{}
	for _, tc := range []struct{ row, want string }{
		{`  "user": "alice",`, st.Syntax.Key.Render(`"user"`) + st.Syntax.Punct.Render(":") + " " + st.Syntax.String.Render(`"alice"`) + st.Syntax.Punct.Render(",")},
		{`  "n": 42`, st.Syntax.Key.Render(`"n"`) + st.Syntax.Punct.Render(":") + " " + st.Syntax.Number.Render("42")},
		{`    "S256",`, st.Syntax.String.Render(`"S256"`) + st.Syntax.Punct.Render(",")},
		{`  "ok": true,`, st.Syntax.Key.Render(`"ok"`) + st.Syntax.Punct.Render(":") + " " + st.Syntax.Keyword.Render("true") + st.Syntax.Punct.Render(",")},
		{`  ],`, st.Syntax.Punct.Render("]") + ","}, // past the bracket the lexer is out of the array: plain
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
