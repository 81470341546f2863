package ui

import (
	"regexp"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// syntax is how a body's rows are coloured: by a chroma lexer ("json",
// "xml", "html"), as form data, or not at all ("").
type syntax string

const synForm syntax = "form"

// syntaxOf picks the colouring for a body from its Content-Type, JSON
// being what the body pane pretty-printed as JSON.
func syntaxOf(contentType string, isJSON bool) syntax {
	ct := strings.ToLower(contentType)
	switch {
	case isJSON:
		return "json"
	case strings.Contains(ct, "html"):
		return "html"
	case strings.Contains(ct, "xml"):
		return "xml"
	case strings.Contains(ct, "x-www-form-urlencoded"):
		return synForm
	}
	return ""
}

// hlCache keeps rows as coloured lately, shared by the model's copies: a
// frame mostly redraws the rows of the last one. Highlighting only the rows
// on screen keeps a frame's cost the same for a 200 MB body as a 1 KB one.
type hlCache struct {
	mu   sync.Mutex
	dark bool
	rows map[hlKey]string
}

type hlKey struct {
	syn syntax
	row string
}

var lexerOf = sync.OnceValue(func() map[syntax]chroma.Lexer {
	out := map[syntax]chroma.Lexer{}
	for _, s := range []syntax{"json", "xml", "html"} {
		if l := lexers.Get(string(s)); l != nil {
			out[s] = chroma.Coalesce(l)
		}
	}
	return out
})

// highlight colours one row of a body, already made safe for the terminal.
// Each row is lexed alone: a pretty-printed JSON line is a whole key and
// value, and a row that starts inside a string is still readable.
func (c *hlCache) highlight(st Styles, syn syntax, row string) string {
	if syn == "" || row == "" {
		return row
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil || c.dark != st.isDark || len(c.rows) > 1024 {
		c.rows, c.dark = map[hlKey]string{}, st.isDark
	}
	k := hlKey{syn, row}
	if s, ok := c.rows[k]; ok {
		return s
	}
	var s string
	if syn == synForm {
		s = formRow(st, row)
	} else {
		s = lexRow(st, syn, lexerOf()[syn], row)
	}
	c.rows[k] = s
	return s
}

// jsonKey matches a pretty-printed JSON row that starts with a member's name.
var jsonKey = regexp.MustCompile(`^\s*"(\\.|[^"\\])*": `)

func lexRow(st Styles, syn syntax, l chroma.Lexer, row string) string {
	if l == nil {
		return row
	}
	var opts *chroma.TokeniseOptions
	if syn == "json" {
		// A row is lexed alone, so it starts in the state its first token
		// needs: inside an object for a member or a closing brace, inside
		// an array for a value.
		opts = &chroma.TokeniseOptions{State: "arrayvalue"}
		if t := strings.TrimSpace(row); jsonKey.MatchString(row) || strings.HasPrefix(t, "}") {
			opts.State = "objectvalue"
		}
	}
	it, err := l.Tokenise(opts, row)
	if err != nil {
		return row
	}
	var b strings.Builder
	for t := it(); t != chroma.EOF; t = it() {
		v := strings.TrimSuffix(t.Value, "\n") // lexers may add the line's end
		if v == "" {
			continue
		}
		if s, ok := tokenStyle(st, t.Type); ok {
			b.WriteString(s.Render(v))
		} else {
			b.WriteString(v)
		}
	}
	return b.String()
}

// tokenStyle maps a chroma token to the palette's styles.
func tokenStyle(st Styles, t chroma.TokenType) (lipgloss.Style, bool) {
	switch {
	case t == chroma.NameTag || t == chroma.NameAttribute || t.InSubCategory(chroma.NameTag):
		return st.Syntax.Key, true
	case t.InSubCategory(chroma.LiteralString):
		return st.Syntax.String, true
	case t.InSubCategory(chroma.LiteralNumber):
		return st.Syntax.Number, true
	case t.InCategory(chroma.Keyword):
		return st.Syntax.Keyword, true
	case t.InCategory(chroma.Comment):
		return st.Muted, true
	case t == chroma.Punctuation || t.InCategory(chroma.Operator):
		return st.Syntax.Punct, true
	}
	return lipgloss.Style{}, false
}

// formRow colours form data (a=1&b=2). chroma has no lexer for
// application/x-www-form-urlencoded, and the grammar is two separators.
func formRow(st Styles, row string) string {
	var b strings.Builder
	for i, pair := range strings.Split(row, "&") {
		if i > 0 {
			b.WriteString(st.Syntax.Punct.Render("&"))
		}
		name, value, ok := strings.Cut(pair, "=")
		b.WriteString(st.Syntax.Key.Render(name))
		if ok {
			b.WriteString(st.Syntax.Punct.Render("=") + st.Syntax.String.Render(value))
		}
	}
	return b.String()
}
