package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/internal/oidctest"
	"keyhole/practice"
)

// play is one thing a learner does during a lesson, from the keyboard,
// and how many of the lesson's steps have ticked after it.
type play struct {
	what  string
	do    func(t *testing.T, m Model) Model
	ticks int
}

var (
	ctrlX   = tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl}
	endKey  = tea.KeyPressMsg{Code: tea.KeyEnd}
	f7      = tea.KeyPressMsg{Code: tea.KeyF7}
	rightKy = tea.KeyPressMsg{Code: tea.KeyRight}
)

// sendNow presses enter on the URL, as the lesson page says.
func sendNow(t *testing.T, m Model) Model {
	t.Helper()
	m = press(t, m, esc) // back to the URL
	return press(t, m, enter)
}

// typeURL replaces the URL's path by path, typed, and sends it.
func typeURL(path string) func(t *testing.T, m Model) Model {
	return func(t *testing.T, m Model) Model {
		t.Helper()
		m = press(t, m, esc, endKey, ctrlU)
		m = press(t, m, tea.PasteMsg{Content: m.srv.URL + path})
		return press(t, m, enter)
	}
}

// pickAnswer moves the picker's cursor to the answer of kind k (as the
// arrows do) and picks it; the form opens.
func pickAnswer(t *testing.T, m Model, k string) Model {
	t.Helper()
	if m.Focused() == "form" && m.form.kind == k {
		return m // refused: the form is open again for another try
	}
	if m.Focused() != "picker" {
		t.Fatalf("no picker to pick %s from: focus %s, status %q", k, m.Focused(), m.Status())
	}
	for i := 0; ; i++ {
		if o, _ := m.chal.picked(); o.Mode == k {
			break
		}
		if i > 2*len(m.chal.opts) {
			var rows []string
			for j := range m.chal.opts {
				rows = append(rows, m.chal.label(j))
			}
			t.Fatalf("the picker offers no %s answer: %q", k, rows)
		}
		m = press(t, m, down)
	}
	m = press(t, m, enter)
	if m.Focused() != "form" {
		t.Fatalf("after picking %s: focus %s, status %q", k, m.Focused(), m.Status())
	}
	return m
}

// answer picks kind k and types values into the form's fields in order
// (an empty value leaves a field as it is), then sends with enter.
func answerWith(k string, values ...string) func(t *testing.T, m Model) Model {
	return func(t *testing.T, m Model) Model {
		t.Helper()
		m = pickAnswer(t, m, k)
		return fill(t, m, values...)
	}
}

// fill types values into the open form's fields, from the first, and sends.
func fill(t *testing.T, m Model, values ...string) Model {
	t.Helper()
	for m.form.idx > 0 { // a refused answer reopens on its secret
		m = press(t, m, shiftTab)
	}
	for i, v := range values {
		if i > 0 {
			m = press(t, m, tab)
		}
		if v != "" {
			m = press(t, m, endKey, ctrlU)
			m = press(t, m, keys(v)...)
		}
	}
	for !m.form.last() {
		m = press(t, m, tab)
	}
	return press(t, m, enter)
}

// oauthClient picks OAuth 2.0 and fills the client credentials grant of
// the practice client; scope is typed into the Scope field when not empty.
func oauthClient(tokenURL, scope string) func(t *testing.T, m Model) Model {
	return oauthAs(practice.ClientID, practice.ClientSecret, tokenURL, scope)
}

// oauthAs is oauthClient for the client id / secret.
func oauthAs(id, secret, tokenURL, scope string) func(t *testing.T, m Model) Model {
	return func(t *testing.T, m Model) Model {
		t.Helper()
		k := "oauth2"
		if m.chal.offers("dpop") { // a DPoP challenge: the DPoP-bound client
			k = "dpop"
		}
		m = pickAnswer(t, m, k)
		if tokenURL != "" {
			tokenURL = m.srv.URL + tokenURL
		}
		return fill(t, m, tokenURL, id, secret, scope)
	}
}

// codeGrant picks OAuth 2.0 and the authorization code grant (ctrl+g), with
// m's browser playing the learner's: it opens the URL keyhole shows and
// approves on the consent page.
func codeGrant(t *testing.T, m Model) Model {
	t.Helper()
	m.browser = approveInBrowser
	m = pickAnswer(t, m, "oauth2")
	for i := 0; m.form.choice != credentials.GrantAuthorizationCode; i++ {
		if i > len(m.form.choices()) {
			t.Fatal("ctrl+g never comes to the authorization code grant")
		}
		m = press(t, m, ctrlG)
	}
	return m
}

// approveInBrowser is the learner's browser on the practice server's
// pages: it opens the URL (a refused request comes straight back to
// keyhole's redirect) and approves on the consent page.
func approveInBrowser(u string) error {
	go oidctest.Browse(context.Background(), u)
	return nil
}

// setField types value into the open form's field keyed key, after ctrl+u
// empties it, and sends with enter from there.
func setField(t *testing.T, m Model, key, value string) Model {
	t.Helper()
	for m.form.idx > 0 {
		m = press(t, m, shiftTab)
	}
	for i := 0; m.form.fields[m.form.idx].key != key; i++ {
		if i > len(m.form.fields) {
			var keys []string
			for _, f := range m.form.fields {
				keys = append(keys, f.key)
			}
			t.Fatalf("the form has no %s field: %q (focus %s, status %q)", key, keys, m.Focused(), m.Status())
		}
		m = press(t, m, tab)
	}
	m = press(t, m, endKey, ctrlU)
	m = press(t, m, keys(value)...)
	return press(t, m, enter)
}

// focusOn moves the focus with tab to the area named name.
func focusOn(t *testing.T, m Model, name string) Model {
	t.Helper()
	for i := 0; m.Focused() != name; i++ {
		if i > int(focusCount) {
			t.Fatalf("%s never takes focus", name)
		}
		m = press(t, m, tab)
	}
	return m
}

// header replaces the headers by line (none when empty) and sends.
func header(line string) func(t *testing.T, m Model) Model {
	return func(t *testing.T, m Model) Model {
		t.Helper()
		m = press(t, m, esc)
		m = focusOn(t, m, "headers")
		m = press(t, m, endKey, ctrlU)
		m = press(t, m, keys(line)...)
		if line == "" {
			m = press(t, m, esc)
			return press(t, m, enter)
		}
		return press(t, m, ctrlS)
	}
}

// method cycles the method with the arrows until it is want.
func method(t *testing.T, m Model, want string) Model {
	t.Helper()
	m = press(t, m, esc, shiftTab)
	for i := 0; m.compose.Method() != want; i++ {
		if i > 10 {
			t.Fatalf("method %s never comes", want)
		}
		m = press(t, m, rightKy)
	}
	return m
}

// login posts the login form typed into the headers and body.
func login(t *testing.T, m Model) Model {
	t.Helper()
	m = method(t, m, "POST")
	m = press(t, m, tab, endKey, ctrlU)
	m = press(t, m, tea.PasteMsg{Content: m.srv.URL + "/login"})
	m = focusOn(t, m, "headers")
	m = press(t, m, endKey, ctrlU)
	m = press(t, m, keys("Content-Type: application/x-www-form-urlencoded")...)
	m = focusOn(t, m, "body")
	m = press(t, m, endKey, ctrlU)
	m = press(t, m, keys("user=alice&password="+practice.Password)...)
	return press(t, m, ctrlS)
}

// getURL sends GET path with no headers or body, all typed.
func getURL(path string) func(t *testing.T, m Model) Model {
	return func(t *testing.T, m Model) Model {
		t.Helper()
		m = method(t, m, "GET")
		m = focusOn(t, m, "headers")
		m = press(t, m, endKey, ctrlU)
		m = focusOn(t, m, "body")
		m = press(t, m, endKey, ctrlU)
		return typeURL(path)(t, m)
	}
}

// TestEveryLessonPlaysToDoneFromTheKeys plays every lesson of the practice
// lab from the TUI model alone: the lesson list, keys and pasted text, as
// a learner following the lesson page would, and checks that its steps
// tick in order and that it is done only after the last (issue 21).
func TestEveryLessonPlaysToDoneFromTheKeys(t *testing.T) {
	basicForm := func(user, pass string) func(t *testing.T, m Model) Model { return answerWith("basic", user, pass) }
	scripts := map[string][]play{
		"basic": {
			{"send", sendNow, 2},
			{"wrong password", basicForm(practice.User, "nope"), 3},
			{"retry as alice", basicForm(practice.User, practice.Password), 4},
		},
		"bearer": {
			{"send", sendNow, 1},
			{"wrong token", answerWith("bearer", "guess"), 3},
			{"right token", answerWith("bearer", practice.Token), 4},
		},
		"digest": {
			{"send", sendNow, 2},
			{"wrong password", answerWith("digest", practice.User, "nope"), 3},
			{"right password", answerWith("digest", practice.User, practice.Password), 4},
		},
		"digest-sha512": {
			{"send", sendNow, 1},
			{"answer", answerWith("digest", practice.User, practice.Password), 3},
			{"wrong password", func(t *testing.T, m Model) Model {
				m = press(t, m, ctrlX) // forget alice's password
				m = sendNow(t, m)
				return answerWith("digest", practice.User, "nope")(t, m)
			}, 4},
		},
		"apikey": {
			{"send", sendNow, 1},
			{"the key as Bearer", header("Authorization: Bearer " + "practice-key"), 2},
			{"the key as X-API-Key", func(t *testing.T, m Model) Model {
				m = header("")(t, m) // the wrong header goes
				return answerWith("apikey", "X-API-Key", "practice-key", "header")(t, m)
			}, 4},
		},
		"registry": {
			{"send", sendNow, 1},
			{"anonymous registry token", answerWith("registry", "", ""), 3},
			{"a made-up token", func(t *testing.T, m Model) Model {
				m = press(t, m, ctrlX)
				m = sendNow(t, m)
				return answerWith("bearer", "made-up")(t, m)
			}, 4},
		},
		"jwt": {
			{"send", sendNow, 1},
			{"client credentials", func(t *testing.T, m Model) Model {
				m.srv.SetTokenTTL(time.Second) // the server's; a learner waits 60 s
				return oauthClient("/oauth/token", "")(t, m)
			}, 3},
			{"retry past exp", func(t *testing.T, m Model) Model {
				time.Sleep(1500 * time.Millisecond)
				return press(t, m, ctrlS)
			}, 4},
			{"retry: a new token", func(t *testing.T, m Model) Model {
				m = press(t, m, ctrlS)
				if a := m.sess.Last(); a.Status() != 200 {
					t.Fatalf("the retry after the expired token's 401: %d (status %q)", a.Status(), m.Status())
				}
				return m
			}, 4},
		},
		"scoped": {
			{"send", sendNow, 1},
			{"a token without the scope", oauthClient("/oauth/token", ""), 2},
			{"ask for read:secrets", func(t *testing.T, m Model) Model {
				m = press(t, m, ctrlX)
				m = sendNow(t, m)
				return oauthClient("/oauth/token", practice.ScopeSecrets)(t, m)
			}, 3},
		},
		"skew": {
			{"send", sendNow, 1},
			{"client credentials", oauthClient("/oauth/token", ""), 4},
		},
		"wrong-resource": {
			{"send", sendNow, 1},
			{"client credentials, no token URL", oauthClient("", ""), 3},
			{"compare with /jwt", typeURL("/jwt"), 4},
		},
		"dpop": {
			{"send", sendNow, 1},
			{"DPoP client credentials", oauthClient("/oauth/token", ""), 3},
		},
		"multi": {
			{"send", sendNow, 2},
			{"the split header", typeURL("/multi/split"), 3},
			{"Basic", answerWith("basic", practice.User, practice.Password), 4},
		},
		"no-challenge": {
			{"send", sendNow, 2},
			{"guess Basic", answerWith("basic", practice.User, practice.Password), 3},
		},
		"forbidden": {
			{"send", sendNow, 1},
			{"as alice", func(t *testing.T, m Model) Model {
				m = answerWith("basic", practice.User, practice.Password)(t, m)
				// Item 5: the screen says how to switch user, with the key.
				mustContain(t, strings.Join(strings.Fields(screen(m)), " "), "Another user? ctrl+x forgets these credentials")
				return m
			}, 2},
			{"as bob", func(t *testing.T, m Model) Model {
				m = press(t, m, ctrlX)
				m = sendNow(t, m)
				return answerWith("basic", practice.Admin, practice.AdminPassword)(t, m)
			}, 3},
		},
		"proxy": {
			{"send", sendNow, 1},
			{"Authorization by mistake", header("Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="), 2},
			{"proxy credentials", func(t *testing.T, m Model) Model {
				m = header("")(t, m)
				return answerWith("basic", practice.User, practice.Password)(t, m)
			}, 3},
		},
		"redirect": {
			{"send", sendNow, 0},
			{"Basic", answerWith("basic", practice.User, practice.Password), 2},
			{"trust the redirect", func(t *testing.T, m Model) Model {
				if o, _ := m.chal.picked(); o.Action == nil || o.Action.Kind != "trust-redirect" {
					t.Fatalf("the picker does not offer to trust the redirect: %+v", o)
				}
				return press(t, m, enter)
			}, 3},
		},
		"session": {
			{"send", sendNow, 1},
			{"log in", login, 2},
			{"GET /session", getURL("/session"), 3},
			{"log out on the server", getURL("/logout?server-only=1"), 4},
			{"log in again", func(t *testing.T, m Model) Model {
				m = login(t, m)
				return getURL("/session")(t, m)
			}, 5},
		},
		"hostile": {
			{"send", sendNow, 2},
			{"Basic", answerWith("basic", practice.User, practice.Password), 3},
		},
		"slow": {
			{"send and cancel", func(t *testing.T, m Model) Model {
				m = press(t, m, esc, endKey, ctrlU)
				m = press(t, m, tea.PasteMsg{Content: m.srv.URL + "/slow?ms=5000"})
				next, cmd := m.Update(enter)
				m = next.(Model)
				next, cmd2 := m.Update(esc) // cancel while in flight
				return settle(t, next.(Model), tea.Batch(cmd, cmd2))
			}, 1},
			{"half a second", typeURL("/slow?ms=500"), 2},
			{"Basic", answerWith("basic", practice.User, practice.Password), 3},
		},
		"ntlm": {
			{"send", sendNow, 1},
			{"NTLM", answerWith("ntlm", `PRACTICE\alice`, practice.Password), 3},
			{"wrong password", func(t *testing.T, m Model) Model {
				m = press(t, m, ctrlX)
				m = sendNow(t, m)
				return answerWith("ntlm", `PRACTICE\alice`, "nope")(t, m)
			}, 4},
		},
		"audience": {
			{"send", sendNow, 1},
			{"client credentials", oauthClient("/oauth/token", ""), 3},
		},
		"tenant": {
			{"send", sendNow, 1},
			{"client credentials, no token URL", oauthClient("", ""), 4},
		},
		"client-auth": {
			{"send", sendNow, 1},
			{"the post-client's credentials", oauthAs(practice.PostClientID, practice.PostClientSecret, "/oauth/token", ""), 4},
		},
		"par": {
			{"send", sendNow, 1},
			{"the Auth URL typed: no PAR", func(t *testing.T, m Model) Model {
				m = codeGrant(t, m)
				m = fill(t, m, m.srv.URL+"/oauth/token", practice.ParClientID, practice.ParClientSecret, "", "", m.srv.URL+"/oauth/authorize")
				// The authorization step's error, in that step's words.
				mustContain(t, m.Status(), "authorization step refused (invalid_request)", "pushed authorization requests (PAR, RFC 9126)")
				return m
			}, 2},
			{"the Auth URL emptied: PAR", func(t *testing.T, m Model) Model {
				m = codeGrant(t, m)
				return setField(t, m, "auth_url", "")
			}, 4},
		},
		"mcp-register": {
			{"send", sendNow, 1},
			{"no client id", func(t *testing.T, m Model) Model {
				m.browser = approveInBrowser
				return answerWith("oauth2")(t, m)
			}, 4},
		},
		"mcp-cimd": {
			{"send", sendNow, 1},
			{"the impostor's document", func(t *testing.T, m Model) Model {
				m = codeGrant(t, m)
				m = fill(t, m, "", m.srv.URL+practice.ImpostorDocumentPath)
				mustContain(t, m.Status(), "impostor.json", "https://keyhole.example/client.json")
				return m
			}, 2},
			{"keyhole's document", func(t *testing.T, m Model) Model {
				m = codeGrant(t, m)
				return fill(t, m, "", m.srv.URL+practice.ClientDocumentPath)
			}, 4},
		},
		"negotiate": {
			{"send", sendNow, 2},
			{"NTLM inside Negotiate", answerWith("negotiate", `PRACTICE\alice`, practice.Password), 3},
		},
		"proxy-digest": {
			{"send", sendNow, 2},
			{"proxy Digest", answerWith("digest", practice.User, practice.Password), 3},
		},
	}
	for _, l := range practice.Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			script, ok := scripts[l.ID]
			if !ok {
				script = playOf(l)
			}
			if len(script) == 0 {
				t.Fatalf("no script plays lesson %q from the keys: add one here, or give the lesson its Play", l.ID)
			}
			m := lessonByKeys(t, started(t, 120, 40), l.ID)
			if m.lesson.l.ID != l.ID {
				t.Fatalf("lesson %q open, want %q", m.lesson.l.ID, l.ID)
			}
			for _, p := range script {
				m = p.do(t, m)
				got := m.lesson.ticked
				n := slices.Index(got, false)
				if n < 0 {
					n = len(got)
				}
				if slices.Contains(got[n:], true) || n != p.ticks {
					t.Fatalf("after %q: steps ticked %v, want the first %d (status %q)\n%s", p.what, got, p.ticks, m.Status(), attemptsOf(m))
				}
				if m.lesson.done != (n == len(l.Steps)) {
					t.Fatalf("after %q: done %v with %d/%d steps", p.what, m.lesson.done, n, len(l.Steps))
				}
			}
			// The lesson list shows it done, every step ticked.
			m = press(t, m, ctrlL)
			if row := line(screen(m), l.Title); !strings.Contains(row, "✓ "+l.Title) ||
				!strings.Contains(row, fmt.Sprintf("%d/%d", len(l.Steps), len(l.Steps))) {
				t.Fatalf("the lesson list's row: %q", row)
			}
		})
	}
}

// playOf is the script of a lesson that says how it is played (Lesson.Play,
// for the lessons schemes register from their own files).
func playOf(l practice.Lesson) []play {
	var out []play
	for _, p := range l.Play {
		do, what := sendNow, "send"
		if p.Answer != "" {
			do, what = answerWith(p.Answer, p.Values...), "answer with "+p.Answer
		}
		if p.Forget {
			answer := do
			do = func(t *testing.T, m Model) Model {
				m = press(t, m, ctrlX)
				m = sendNow(t, m)
				return answer(t, m)
			}
			what = "forget, send, " + what
		}
		out = append(out, play{what, do, p.Ticks})
	}
	return out
}

// attemptsOf lists the session's attempts in a line each, for a failure.
func attemptsOf(m Model) string {
	var b strings.Builder
	for _, a := range m.sess.Attempts() {
		var codes []string
		for _, f := range a.Findings {
			codes = append(codes, f.Code)
		}
		url := ""
		if a.Exchange != nil && a.Exchange.Request != nil {
			url = a.Exchange.Request.Method + " " + a.Exchange.Request.URL
		}
		fmt.Fprintf(&b, "  %d %s %s → %d carried %s %v\n", a.N, a.Purpose, url, a.Status(), a.CarriedWords(), codes)
	}
	return b.String()
}
