package ui

import (
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
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

// lexerOf builds the lexers for JSON and for XML and HTML on first use. They are written
// here with chroma's core API rather than taken from chroma's lexers
// package: that package's init parses every one of its embedded lexer
// definitions, 10-30 ms before the first frame, for the two a body needs.
var lexerOf = sync.OnceValue(func() map[syntax]chroma.Lexer {
	markup := chroma.Coalesce(chroma.MustNewLexer(&chroma.Config{Name: "markup"}, markupRules))
	return map[syntax]chroma.Lexer{
		"json": chroma.Coalesce(chroma.MustNewLexer(&chroma.Config{Name: "json"}, jsonRules)),
		"xml":  markup,
		"html": markup,
	}
})

// jsonRules colour one pretty-printed row of JSON, lexed alone: a string
// followed by a colon is a member's name, any other a value.
func jsonRules() chroma.Rules {
	return chroma.Rules{"root": {
		{Pattern: `\s+`, Type: chroma.Whitespace},
		{Pattern: `("(?:\\.|[^"\\])*")(\s*)(:)`, Type: chroma.ByGroups(chroma.NameTag, chroma.Whitespace, chroma.Punctuation)},
		{Pattern: `"(?:\\.|[^"\\])*"?`, Type: chroma.LiteralStringDouble},
		{Pattern: `-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`, Type: chroma.LiteralNumber},
		{Pattern: `true|false|null`, Type: chroma.KeywordConstant},
		{Pattern: `[{}\[\],:]`, Type: chroma.Punctuation},
		{Pattern: `[^\s"{}\[\],:]+`, Type: chroma.Text},
	}}
}

// markupRules colour a row of XML or HTML: tags with their attributes,
// comments, declarations and character references; the rest is text. A
// row that starts inside a tag is read as text.
func markupRules() chroma.Rules {
	return chroma.Rules{
		"root": {
			{Pattern: `<!--`, Type: chroma.Comment, Mutator: chroma.Push("comment")},
			{Pattern: `<\?[^>]*\?>|<![^>]*>`, Type: chroma.CommentPreproc},
			{Pattern: `</?[\w:.-]+`, Type: chroma.NameTag, Mutator: chroma.Push("tag")},
			{Pattern: `&(?:#\d+|#x[0-9a-fA-F]+|\w+);`, Type: chroma.NameEntity},
			{Pattern: `[^<&]+|[<&]`, Type: chroma.Text},
		},
		"comment": {
			{Pattern: `-->`, Type: chroma.Comment, Mutator: chroma.Pop(1)},
			{Pattern: `[^-]+|-`, Type: chroma.Comment},
		},
		"tag": {
			{Pattern: `\s+`, Type: chroma.Whitespace},
			{Pattern: `/?>`, Type: chroma.NameTag, Mutator: chroma.Pop(1)},
			{Pattern: `[\w:.-]+`, Type: chroma.NameAttribute},
			{Pattern: `=`, Type: chroma.Operator},
			{Pattern: `"[^"]*"?|'[^']*'?`, Type: chroma.LiteralString},
			{Pattern: `[^\s/>=\w"']+|/`, Type: chroma.Text},
		},
	}
}

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
		s = lexRow(st, lexerOf()[syn], row)
	}
	c.rows[k] = s
	return s
}

func lexRow(st Styles, l chroma.Lexer, row string) string {
	if l == nil {
		return row
	}
	it, err := l.Tokenise(nil, row)
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
