package ui

import (
	"encoding/base64"
	"fmt"
	"image/color"
	"net/http"
	"regexp"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"keyhole/httpclient"
	"keyhole/practice"
)

// goldenClock is the time every golden frame is drawn at.
var goldenClock = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// steady rewrites what changes from run to run in the attempts a real
// server answered (its port, the Date header, Digest nonces, timings), so
// a frame can be compared with the one reviewed. The model draws them anew.
func steady(t *testing.T, m Model) Model {
	t.Helper()
	port := regexp.MustCompile(`127\.0\.0\.1:\d+`)
	nonce := regexp.MustCompile(`(nonce|opaque)="[^"]*"`)
	fix := func(s string) string {
		s = port.ReplaceAllString(s, "127.0.0.1:8401")
		return nonce.ReplaceAllString(s, `$1="0123456789abcdef"`)
	}
	fixHeader := func(h map[string][]string) {
		for k, vs := range h {
			for i := range vs {
				vs[i] = fix(vs[i])
			}
			if k == "Date" {
				h[k] = []string{goldenClock.Format(http.TimeFormat)}
			}
		}
	}
	for _, a := range m.sess.Attempts() {
		a.Started, a.Finished = goldenClock, goldenClock
		a.Auto, a.Note = fix(a.Auto), fix(a.Note)
		for i := range a.Findings {
			f := &a.Findings[i]
			f.Message, f.Next, f.DocURL = fix(f.Message), fix(f.Next), fix(f.DocURL)
		}
		ex := a.Exchange
		if ex == nil {
			continue
		}
		ex.Timing = httpclient.Timing{Total: 1200 * time.Microsecond, Connect: 300 * time.Microsecond, FirstByte: 1100 * time.Microsecond}
		if ex.Request != nil {
			ex.Request.URL = fix(ex.Request.URL)
			fixHeader(ex.Request.Header)
		}
		if r := ex.Response; r != nil {
			r.URL = fix(r.URL)
			fixHeader(r.Header)
			r.Body = []byte(fix(string(r.Body)))
		}
		for i := range ex.Challenges {
			c := &ex.Challenges[i]
			for j := range c.Params {
				if c.Params[j].Name == "nonce" || c.Params[j].Name == "opaque" {
					c.Params[j].Value = "0123456789abcdef"
				}
				c.Params[j].Value = fix(c.Params[j].Value)
			}
		}
	}
	m.compose.url.SetValue(fix(m.compose.url.Value()))
	m.status = regexp.MustCompile(` in [0-9.]+(µs|ms|s)([.,])`).ReplaceAllString(fix(m.status), " in 1.2ms${2}")
	m.tl.cache, m.explCache = &rowCache{}, &explCache{} // drawn from attempts changed in place
	m.tl.set(m.sess.Attempts())
	if a := m.shown(); a != nil {
		m.resp.n = 0
		m.show(a)
		m.chal.set(a)
		if a.Exchange.Response != nil {
			m.resp.setDoc(docFor(a.Exchange.Response, false, scrubberOf(m.sess), m.resp.width))
		}
	}
	m.layout()
	m.syncOverlay()
	return m
}

var fingerprint = regexp.MustCompile(`fp:[0-9a-f]{8}`)

// expiredJWT is a token that expired an hour before goldenClock; its
// signature is not checked (the inspector never does).
func expiredJWT() string {
	enc := base64.RawURLEncoding.EncodeToString
	claims := fmt.Sprintf(`{"iss":"https://auth.example.test","sub":"alice","aud":"api","scope":"read","iat":%d,"exp":%d}`,
		goldenClock.Add(-2*time.Hour).Unix(), goldenClock.Add(-time.Hour).Unix())
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("not-a-signature"))
}

// The View at three sizes on light and dark terminals, for the screens of
// the loop: a change to one of these files is reviewed like code.
// go test ./ui -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	for _, sc := range goldenScenes {
		for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
			for _, bg := range []struct {
				name string
				c    color.Color
			}{{"light", color.White}, {"dark", color.Black}} {
				t.Run(fmt.Sprintf("%s/%dx%d/%s", sc.name, sz[0], sz[1], bg.name), func(t *testing.T) {
					m := sc.open(t, sz[0], sz[1], bg.c)
					checkFrame(t, m, sz[0], sz[1], sc.name)
					// Fingerprints are keyed per process, so that they cannot be looked up.
					golden.RequireEqual(t, fingerprint.ReplaceAllString(m.View().Content, "fp:00000000"))
				})
			}
		}
	}
}

// goldenScene is one screen of the loop, played from the practice server.
type goldenScene struct {
	name string
	path string
	play func(t *testing.T, m Model) Model
}

// open plays the scene on a terminal of w x h with background bg, steadied.
func (sc goldenScene) open(t *testing.T, w, h int, bg color.Color) Model {
	t.Helper()
	m := started(t, w, h)
	m.clock = func() time.Time { return goldenClock } // the session's stays real: no skew is found
	m = press(t, m, tea.BackgroundColorMsg{Color: bg})
	m = press(t, m, esc)
	m.compose.url.SetValue(m.srv.URL + sc.path)
	m = sc.play(t, m)
	m = steady(t, m)
	if sc.name == "diff" {
		m = press(t, m, keys("d")...) // drawn from the steadied attempts
	}
	if sc.name == "expired-jwt" && m.Overlay() != "jwt" {
		t.Fatalf("the JWT inspector did not open: %s", m.Status())
	}
	return m
}

var goldenScenes = []goldenScene{
	{"first-screen", "/basic", func(t *testing.T, m Model) Model { return m }},
	{"digest-two-challenges", "/digest", func(t *testing.T, m Model) Model { return press(t, m, enter) }},
	{"expired-jwt", "/bearer", func(t *testing.T, m Model) Model {
		m = press(t, m, enter) // 401; Bearer token is preselected
		m = press(t, m, enter)
		m = press(t, m, tea.PasteMsg{Content: expiredJWT()})
		return press(t, m, tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl})
	}},
	{"forbidden-403", "/forbidden", answerAsAlice},
	{"json-200", "/basic", answerAsAlice},
	{"diff", "/basic", func(t *testing.T, m Model) Model {
		m = answerAsAlice(t, m)
		for m.Focused() != "timeline" {
			m = press(t, m, tab)
		}
		return m
	}},
}

// answerAsAlice sends, picks the preselected scheme and answers with
// alice's user and password.
func answerAsAlice(t *testing.T, m Model) Model {
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.Password)...)
	return press(t, m, enter)
}
