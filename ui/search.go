package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// search is a find in the response body: / types the text, enter finds it,
// n and N go to the next and previous line holding it.
type search struct {
	typing bool
	query  string // as typed; matched without regard to case
	line   int    // body line of the last match, -1 for none
	gen    int    // the search in flight; older answers are dropped
}

// foundMsg is where a search found its text: a body line, or -1.
type foundMsg struct {
	gen, line int
	query     string
}

func (m *Model) startSearch() {
	m.search.typing, m.search.query = true, ""
	m.info("Search the body: type the text, enter finds it; n and N go to the next and previous match; esc cancels.")
}

// searchKey edits the query while it is typed.
func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &m.search
	switch {
	case msg.Code == tea.KeyEscape:
		s.typing = false
		m.info("Search cancelled.")
	case msg.Code == tea.KeyEnter:
		s.typing, s.line = false, -1
		return m.findNext(1)
	case msg.Code == tea.KeyBackspace:
		if s.query != "" {
			_, size := utf8.DecodeLastRuneInString(s.query)
			s.query = s.query[:len(s.query)-size]
		}
	case msg.Text != "":
		s.query += msg.Text
	}
	return nil
}

// findNext looks for the query from the match shown (or the top of the
// pane) in direction d, wrapping around. A body shown as a doc may be
// hundreds of megabytes, partly in a spill file: it is read in a Cmd.
func (m *Model) findNext(d int) tea.Cmd {
	q := strings.ToLower(m.search.query)
	if q == "" {
		m.info("Nothing to find yet: / starts a search.")
		return nil
	}
	from := m.search.line
	if from < 0 {
		from = m.bodyLineAt(m.resp.top) - d // the line at the top is searched first
	}
	m.search.gen++
	gen, query := m.search.gen, m.search.query
	if doc := m.resp.shownDoc(); doc != nil {
		m.info("Searching for %q…", query)
		return func() tea.Msg {
			return foundMsg{gen: gen, line: findIn(doc.count(), doc.text, q, from, d), query: query}
		}
	}
	body := m.resp.body
	line := findIn(len(body), func(i int) string { return body[i] }, q, from, d)
	m.found(foundMsg{gen: gen, line: line, query: query})
	return nil
}

// findIn is the first of n lines after from in direction d (wrapping) that
// holds q, lower-cased; -1 when none does.
func findIn(n int, text func(int) string, q string, from, d int) int {
	for k := 1; k <= n; k++ {
		i := ((from+d*k)%n + n) % n
		if strings.Contains(strings.ToLower(text(i)), q) {
			return i
		}
	}
	return -1
}

// found scrolls the match into view, a few rows under the pane's top.
func (m *Model) found(msg foundMsg) {
	if msg.gen != m.search.gen {
		return
	}
	if msg.line < 0 {
		m.search.line = -1
		m.fail(fmt.Errorf("%q is not in the body", msg.query))
		return
	}
	m.search.line = msg.line
	m.resp.top = len(m.resp.head) + m.bodyRowOf(msg.line) - 2
	m.resp.clamp()
	m.info("%q found on line %d of the body; n next, N previous.", msg.query, msg.line+1)
}

// bodyLineAt is the body line shown at response row r.
func (m Model) bodyLineAt(r int) int {
	r = max(r-len(m.resp.head), 0)
	doc := m.resp.shownDoc()
	if doc == nil {
		return r
	}
	i, _ := doc.lineAt(r, m.resp.width)
	return i
}

// bodyRowOf is the first row of body line i.
func (m Model) bodyRowOf(i int) int {
	doc := m.resp.shownDoc()
	if doc == nil {
		return i
	}
	return doc.rowOf(i, m.resp.width)
}

// marked shows every occurrence of the query in a plain row.
func (s search) marked(st Styles, row string) (string, bool) {
	if s.query == "" || s.typing {
		return row, false
	}
	lower, q := strings.ToLower(row), strings.ToLower(s.query)
	if len(lower) != len(row) || !strings.Contains(lower, q) {
		return row, false // a case change that moved bytes: shown plain
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, q)
		if i < 0 {
			b.WriteString(row)
			return b.String(), true
		}
		b.WriteString(row[:i])
		b.WriteString(st.Match.Render(row[i : i+len(q)]))
		row, lower = row[i+len(q):], lower[i+len(q):]
	}
}
