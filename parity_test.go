package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"keyhole/practice"
	"keyhole/session"
	"keyhole/ui"
)

// The parity table: each scenario is played through `keyhole send --json`
// (the built binary) and through the TUI's model (keys and pasted text into
// Update, as a user types them), each against a server of its own started
// the same way, and both faces must make the same attempts: purpose, the
// credentials carried, status and finding codes. Both call session.Run, so a
// difference is a decision one face makes that the loop should.
//
// The TUI's user sees the challenge before entering credentials, so where
// send is given them at once, the send side is the same user's two commands:
// first without credentials, then with them.
func TestParity(t *testing.T) {
	for _, sc := range parityScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runParity(t, sc)
		})
	}
}

// runParity runs scenario sc through keyhole send and through the TUI model
// and fails t when the two faces' attempts differ; a scheme's own test file
// runs its scenario with it.
func runParity(t *testing.T, sc scenario) {
	sendSrv, tuiSrv := sc.server(t), sc.server(t)
	var viaSend []attempt
	var later []int // where a later command's attempts start
	for i, args := range sc.send(sendSrv) {
		if i > 0 {
			later = append(later, len(viaSend))
		}
		viaSend = append(viaSend, sendAttempts(t, args)...)
	}
	d := newTUI(t, sc.url(tuiSrv))
	sc.tui(d, tuiSrv)
	tuiAs := tuiAttempts(d.m.Session().Attempts())
	for _, i := range later {
		// A later command is a new session: its first attempt has
		// no earlier one, so no finding says what changed since.
		if i < len(tuiAs) {
			tuiAs[i].codes = slices.DeleteFunc(tuiAs[i].codes, func(c string) bool { return c == "success" })
		}
	}
	bySend, byTUI := lines(viaSend), lines(tuiAs)
	if !slices.Equal(bySend, byTUI) {
		t.Fatalf("the faces differ\nsend:\n  %s\nTUI:\n  %s\n(TUI status %q)",
			strings.Join(bySend, "\n  "), strings.Join(byTUI, "\n  "), d.m.Status())
	}
	t.Logf("both faces:\n  %s", strings.Join(byTUI, "\n  "))
	if len(sc.want) > 0 && !slices.Equal(statuses(byTUI), sc.want) {
		t.Fatalf("statuses %v, want %v:\n  %s", statuses(byTUI), sc.want, strings.Join(byTUI, "\n  "))
	}
}

// env is what a scenario runs against: the practice server (and its proxy)
// or an httptest server standing in for one.
type env struct {
	url     string // the server's base URL
	proxy   string // the forward proxy's URL, "" for none
	expired string // an access token of the server's that has expired
	refresh string // a refresh token of the server's, unused
}

type scenario struct {
	name   string
	server func(t *testing.T) env
	url    func(e env) string     // where the TUI starts
	send   func(e env) [][]string // send's argv (after "send --json"), one command each
	tui    func(d *tuiUser, e env)
	want   []string // the statuses expected, as a check that the scenario does what it says
}

func practiceEnv(t *testing.T) env {
	srv, err := practice.Start(practice.Options{ProxyAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return env{url: srv.URL, proxy: srv.Proxy.URL}
}

func at(path string) func(env) string { return func(e env) string { return e.url + path } }

var alice = practice.User + ":" + practice.Password

func parityScenarios() []scenario {
	return []scenario{
		{
			name: "Basic", server: practiceEnv, url: at("/basic"),
			send: func(e env) [][]string { return [][]string{{"-u", alice, e.url + "/basic"}} },
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("Basic", practice.User, practice.Password)
			},
			want: []string{"401", "200"},
		},
		{
			name: "Digest", server: practiceEnv, url: at("/digest"),
			send: func(e env) [][]string { return [][]string{{"-u", alice, e.url + "/digest"}} },
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("Digest", practice.User, practice.Password)
			},
			want: []string{"401", "200"},
		},
		{
			name: "Bearer", server: practiceEnv, url: at("/bearer"),
			send: func(e env) [][]string { return [][]string{{"--token", practice.Token, e.url + "/bearer"}} },
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("Bearer token", practice.Token)
			},
			want: []string{"401", "200"},
		},
		{
			// No challenge asks for an API key: send gives it up front, so
			// the TUI user's first look is send's first command.
			name: "API key", server: practiceEnv, url: at("/apikey"),
			send: func(e env) [][]string {
				return [][]string{{e.url + "/apikey"}, {"--api-key", "X-API-Key=practice-key", e.url + "/apikey"}}
			},
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("API key", "X-API-Key", "practice-key", "header")
			},
			want: []string{"401", "200"},
		},
		{
			name: "OAuth client credentials", server: practiceEnv, url: at("/jwt"),
			send: func(e env) [][]string {
				return [][]string{{"--client-id", practice.ClientID, "--client-secret", practice.ClientSecret,
					"--token-url", e.url + "/oauth/token", e.url + "/jwt"}}
			},
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("OAuth 2.0", e.url+"/oauth/token", practice.ClientID, practice.ClientSecret, "")
			},
			want: []string{"401", "200", "200", "200", "200"}, // discovery, metadata, token, request
		},
		{
			name: "proxy then server", server: practiceEnv, url: at("/basic"),
			send: func(e env) [][]string {
				return [][]string{{"-x", e.proxy, "-U", alice, "-u", alice, e.url + "/basic"}}
			},
			tui: func(d *tuiUser, e env) {
				d.palette("proxy")
				d.typeText(e.proxy)
				d.press(enterKey, enterKey) // apply, send
				d.answer("Basic", practice.User, practice.Password)
				d.answer("Basic", practice.User, practice.Password)
			},
			want: []string{"407", "401", "200"},
		},
		{
			// The redirect goes to another origin: credentials are not
			// resent there, and the loop stops rather than answer it.
			name: "redirect to another origin, not trusted", server: practiceEnv, url: at("/redirect"),
			send: func(e env) [][]string {
				return [][]string{{e.url + "/redirect"}, {"--auth", "basic", "-u", alice, e.url + "/redirect"}}
			},
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("Basic", practice.User, practice.Password)
			},
			want: []string{"401", "401"},
		},
		{
			name: "redirect to another origin, trusted", server: practiceEnv, url: at("/redirect"),
			send: func(e env) [][]string {
				return [][]string{{"--location-trusted", "-u", alice, e.url + "/redirect"}}
			},
			tui: func(d *tuiUser, e env) {
				d.press(tea.KeyPressMsg{Code: tea.KeyF7}) // trust redirects
				d.press(enterKey)
				d.answer("Basic", practice.User, practice.Password)
			},
			want: []string{"401", "200"},
		},
		{
			name: "stale Digest nonce", server: staleDigestEnv, url: at("/"),
			send: func(e env) [][]string { return [][]string{{"-u", "alice:secret", e.url + "/"}} },
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("Digest", "alice", "secret")
			},
			want: []string{"401", "401", "200"},
		},
		{
			// The static token has expired and nothing can refresh it: the
			// loop moves on to the OAuth client given beside it.
			name: "expired token, no refresh token", server: expiredTokenEnv, url: at("/jwt"),
			send: func(e env) [][]string {
				return [][]string{{"--token", e.expired, "--client-id", practice.ClientID, "--client-secret", practice.ClientSecret,
					"--token-url", e.url + "/oauth/token", e.url + "/jwt"}}
			},
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("Bearer token", e.expired)
				d.answer("OAuth 2.0", e.url+"/oauth/token", practice.ClientID, practice.ClientSecret, "")
			},
		},
		{
			name: "expired token, with a refresh token", server: expiredTokenEnv, url: at("/jwt"),
			send: func(e env) [][]string {
				return [][]string{{"--token", e.expired, "--refresh-token", e.refresh, "--client-id", practice.ClientID,
					"--client-secret", practice.ClientSecret, "--token-url", e.url + "/oauth/token", e.url + "/jwt"}}
			},
			tui: func(d *tuiUser, e env) {
				// The TUI's user with a refresh token uses the refresh grant.
				d.press(enterKey)
				d.pick("OAuth 2.0")
				for !strings.Contains(d.m.Status(), "refresh token") {
					d.press(tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl}) // the next grant
				}
				d.fill(e.url+"/oauth/token", practice.ClientID, practice.ClientSecret, e.refresh, "")
			},
		},
		{
			// -u waits for a challenge; a server that answers 404 to a
			// request without credentials never sends one, and the last
			// attempt says the credentials were held back.
			name: "held-back -u", server: hiddenEnv, url: at("/private"),
			send: func(e env) [][]string { return [][]string{{"-u", alice, e.url + "/private"}} },
			tui: func(d *tuiUser, e env) {
				d.paste("curl --anyauth -u " + alice + " " + e.url + "/private")
				d.press(enterKey)
			},
			want: []string{"404"},
		},
		{
			name: "DPoP with a nonce", server: practiceEnv, url: at("/dpop"),
			send: func(e env) [][]string {
				return [][]string{{"--client-id", practice.ClientID, "--client-secret", practice.ClientSecret,
					"--token-url", e.url + "/oauth/token", e.url + "/dpop"}}
			},
			tui: func(d *tuiUser, e env) {
				d.press(enterKey)
				d.answer("OAuth 2.0", e.url+"/oauth/token", practice.ClientID, practice.ClientSecret, "")
			},
		},
		{
			name: "curl import", server: practiceEnv, url: func(env) string { return "" },
			send: func(e env) [][]string {
				return [][]string{{"--curl", "curl -u " + alice + " " + e.url + "/basic"}}
			},
			tui: func(d *tuiUser, e env) {
				d.paste("curl -u " + alice + " " + e.url + "/basic")
				d.press(enterKey)
			},
			want: []string{"200"},
		},
	}
}

// expiredTokenEnv is the practice server with an access token that has
// expired and a refresh token, both from its password grant.
func expiredTokenEnv(t *testing.T) env {
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.SetTokenTTL(time.Second)
	form := url.Values{"grant_type": {"password"}, "username": {practice.User}, "password": {practice.Password}}
	req, _ := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(practice.ClientID, practice.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Access == "" || tok.Refresh == "" {
		t.Fatalf("password grant: %d %v %+v", resp.StatusCode, err, tok)
	}
	time.Sleep(2100 * time.Millisecond) // past the token's exp, in whole seconds
	srv.SetTokenTTL(time.Hour)
	return env{url: srv.URL, expired: tok.Access, refresh: tok.Refresh}
}

// hiddenEnv answers 404 to a request without credentials, as GitHub does
// for a private repository, and 200 to Basic alice.
func hiddenEnv(t *testing.T) env {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != practice.User || p != practice.Password {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("private"))
	}))
	t.Cleanup(srv.Close)
	return env{url: srv.URL}
}

// staleDigestEnv is a Digest server whose first nonce goes stale once used:
// the first answer gets 401 stale=true with a new nonce (RFC 7616 §3.3),
// which the loop answers again on its own.
func staleDigestEnv(t *testing.T) env {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		challenge := func(nonce string, stale bool) {
			v := `Digest realm="stale", qop="auth", algorithm=SHA-256, nonce="` + nonce + `"`
			if stale {
				v += ", stale=true"
			}
			w.Header().Set("WWW-Authenticate", v)
			w.WriteHeader(http.StatusUnauthorized)
		}
		switch {
		case !strings.HasPrefix(a, "Digest ") || !strings.Contains(a, `username="alice"`):
			challenge(fmt.Sprintf("first-%d", n.Add(1)), false)
		case strings.Contains(a, `nonce="first-`):
			challenge("second", true)
		default:
			w.Write([]byte("ok"))
		}
	}))
	t.Cleanup(srv.Close)
	return env{url: srv.URL}
}

// attempt is what the table compares of an attempt.
type attempt struct {
	status           int
	purpose, carried string
	codes            []string
}

func lines(as []attempt) []string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%d %s %s [%s]", a.status, a.purpose, a.carried, strings.Join(a.codes, " ")))
	}
	return out
}

// sendAttempts runs keyhole send --json and lists its attempts.
func sendAttempts(t *testing.T, args []string) []attempt {
	t.Helper()
	r := keyhole(t, runOpts{}, append([]string{"send", "--json"}, args...)...)
	var doc struct {
		Attempts []struct {
			Purpose  string `json:"purpose"`
			Scheme   string `json:"scheme"`
			Carried  string `json:"carried"`
			Response *struct {
				Status int `json:"status"`
			} `json:"response"`
			Findings []struct {
				Code string `json:"code"`
			} `json:"findings"`
		} `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("keyhole send --json %q: %v\nstdout:\n%s\nstderr:\n%s", args, err, r.stdout, r.stderr)
	}
	var out []attempt
	for _, a := range doc.Attempts {
		x := attempt{purpose: a.Purpose, carried: a.Carried}
		if a.Response != nil {
			x.status = a.Response.Status
		}
		if x.carried == "" { // a token request: the scheme it authenticated with
			x.carried = cmp.Or(a.Scheme, "none")
		}
		for _, f := range a.Findings {
			x.codes = append(x.codes, f.Code)
		}
		out = append(out, x)
	}
	return out
}

func tuiAttempts(as []*session.Attempt) []attempt {
	var out []attempt
	for _, a := range as {
		x := attempt{status: a.Status(), purpose: a.Purpose, carried: a.CarriedWords()}
		if len(a.Carried) == 0 {
			x.carried = cmp.Or(a.Scheme, "none")
		}
		for _, f := range a.Findings {
			x.codes = append(x.codes, f.Code)
		}
		out = append(out, x)
	}
	return out
}

func statuses(lines []string) []string {
	var out []string
	for _, l := range lines {
		out = append(out, strings.Fields(l)[0])
	}
	return out
}

var enterKey = tea.KeyPressMsg{Code: tea.KeyEnter}

// tuiUser drives the TUI's model as a user at a 120x40 terminal: every key
// goes through Update, and the commands it returns run as the program runs
// them (concurrently), their messages fed back, until none is left.
type tuiUser struct {
	t *testing.T
	m ui.Model
}

func newTUI(t *testing.T, url string) *tuiUser {
	d := &tuiUser{t: t, m: ui.New(ui.Options{URL: url})}
	t.Cleanup(d.m.Close)
	d.run(d.m.Init())
	d.press(tea.WindowSizeMsg{Width: 120, Height: 40})
	return d
}

func (d *tuiUser) press(msgs ...tea.Msg) {
	d.t.Helper()
	for _, msg := range msgs {
		next, cmd := d.m.Update(msg)
		d.m = next.(ui.Model)
		d.run(cmd)
	}
}

func (d *tuiUser) typeText(s string) {
	for _, r := range s {
		d.press(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (d *tuiUser) paste(s string) { d.press(tea.PasteMsg{Content: s}) }

// palette runs the first action whose name starts with name.
func (d *tuiUser) palette(name string) {
	d.press(tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl})
	d.typeText(name)
	d.press(enterKey)
}

func (d *tuiUser) screen() string { return ansi.Strip(d.m.View().Content) }

// answer picks the picker's row for scheme and fills its form.
func (d *tuiUser) answer(scheme string, values ...string) {
	d.t.Helper()
	d.pick(scheme)
	d.fill(values...)
}

// pick moves the picker to the row for scheme and picks it; from the form
// (a refused answer leaves the cursor there) shift+tab goes back to it.
func (d *tuiUser) pick(scheme string) {
	d.t.Helper()
	for i := 0; d.m.Focused() == "form"; i++ {
		if i > 8 {
			d.t.Fatalf("shift+tab does not leave the form")
		}
		d.press(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	}
	if d.m.Focused() != "picker" {
		d.t.Fatalf("answering %s: focus %s, want the picker (status %q)", scheme, d.m.Focused(), d.m.Status())
	}
	for i := 0; !strings.Contains(pickedRow(d.screen()), scheme); i++ {
		if i > 12 {
			d.t.Fatalf("the picker has no %q row:\n%s", scheme, d.screen())
		}
		d.press(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	d.press(enterKey)
	if d.m.Focused() != "form" {
		d.t.Fatalf("picking %s: focus %s (status %q)", scheme, d.m.Focused(), d.m.Status())
	}
}

// fill types values into the form's fields from the focused one, replacing
// what they hold (an empty value leaves a field as it is), and enter on the
// last sends.
func (d *tuiUser) fill(values ...string) {
	d.t.Helper()
	for i, v := range values {
		if v != "" {
			d.press(tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl}, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
			d.typeText(v)
		}
		if i < len(values)-1 {
			d.press(tea.KeyPressMsg{Code: tea.KeyTab})
		}
	}
	for range values {
		if d.m.Focused() != "form" || d.sent() {
			return
		}
		d.press(enterKey)
	}
}

// sent reports whether the last key sent something: the status line leaves
// the form's instructions.
func (d *tuiUser) sent() bool { return strings.HasPrefix(d.m.Status(), "Attempt ") }

// pickedRow is the picker's row under the cursor.
func pickedRow(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, "› "); i >= 0 {
			return l[i:]
		}
	}
	return ""
}

func (d *tuiUser) run(cmd tea.Cmd) {
	d.t.Helper()
	msgs := make(chan tea.Msg, 64)
	pending := 0
	start := func(c tea.Cmd) {
		if c != nil {
			pending++
			go func() { msgs <- c() }()
		}
	}
	start(cmd)
	deadline := time.After(60 * time.Second)
	for pending > 0 {
		select {
		case msg := <-msgs:
			pending--
			switch msg := msg.(type) {
			case nil, spinner.TickMsg:
			case tea.BatchMsg:
				for _, c := range msg {
					start(c)
				}
			default:
				if strings.Contains(fmt.Sprintf("%T", msg), "Blink") {
					continue // a cursor's timer would tick forever
				}
				next, c := d.m.Update(msg)
				d.m = next.(ui.Model)
				start(c)
			}
		case <-deadline:
			d.t.Fatal("the TUI's commands still run after 60s")
		}
	}
}
