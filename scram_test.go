package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
	"keyhole/session"
)

// RFC 7804 §5's example, with RFC 7677's SCRAM-SHA-256 messages in its data=
// values (which end in a line feed that is not part of the message).
const (
	rfc7804Realm       = "testrealm@example.com"
	rfc7804ClientNonce = "rOprNGfwEbeRWgbNEkqO"
	rfc7804ClientFirst = "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8K"
	rfc7804ServerFirst = "cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTYK"
	rfc7804ClientFinal = "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQo="
	rfc7804ServerFinal = "dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQo="
)

// message is the SCRAM message in a data= value, without the line feed.
func message(t *testing.T, data string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatalf("data %q: %v", data, err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// dataOf is the SCRAM message an Authorization value carries.
func dataOf(t *testing.T, value string) string {
	t.Helper()
	chs, _ := httpclient.ParseChallenges(value)
	if len(chs) != 1 || !chs[0].Is("SCRAM-SHA-256") {
		t.Fatalf("not one SCRAM-SHA-256 credential: %q", value)
	}
	return message(t, chs[0].Param("data"))
}

func challenge(t *testing.T, value string) *httpclient.Challenge {
	t.Helper()
	chs, _ := httpclient.ParseChallenges(value)
	if len(chs) != 1 {
		t.Fatalf("%q: %d challenges", value, len(chs))
	}
	return &chs[0]
}

// The client reproduces RFC 7804 §5 leg by leg from the same nonce, and
// checks the server's signature in Authentication-Info.
func TestSCRAMRFC7804Example(t *testing.T) {
	d, ok := credentials.Describe("scram-sha-256")
	if !ok {
		t.Fatal("no scram-sha-256 description")
	}
	a, err := d.Build(map[string]string{"user": "user", "password": "pencil"})
	if err != nil {
		t.Fatal(err)
	}
	s := a.(*credentials.SCRAM)
	s.Nonce = func() string { return rfc7804ClientNonce }
	run := func(info string) []credentials.Note {
		r := &httpclient.Request{Header: http.Header{}}
		if err := s.Apply(r, challenge(t, `SCRAM-SHA-256 realm="`+rfc7804Realm+`"`)); err != nil {
			t.Fatal(err)
		}
		got := r.Header.Get("Authorization")
		if !strings.HasPrefix(got, `SCRAM-SHA-256 realm="`+rfc7804Realm+`", data=`) || dataOf(t, got) != message(t, rfc7804ClientFirst) {
			t.Fatalf("leg 1: %q, want the realm and %q", got, message(t, rfc7804ClientFirst))
		}
		next := challenge(t, "SCRAM-SHA-256 sid=AAAABBBBCCCCDDDD, data="+rfc7804ServerFirst)
		if !s.Continues(next) || s.ConnectionBound() {
			t.Fatal("the server's first message does not continue the handshake, or SCRAM claims the connection")
		}
		r = &httpclient.Request{Header: http.Header{}}
		if err := s.Apply(r, next); err != nil {
			t.Fatal(err)
		}
		got = r.Header.Get("Authorization")
		if !strings.HasPrefix(got, "SCRAM-SHA-256 sid=AAAABBBBCCCCDDDD, data=") || dataOf(t, got) != message(t, rfc7804ClientFinal) {
			t.Fatalf("leg 2: %q, want sid and %q", got, message(t, rfc7804ClientFinal))
		}
		if s.Continues(next) {
			t.Fatal("a challenge after the proof continues the handshake: a refusal would loop")
		}
		resp := &httpclient.Response{Status: 200, Header: http.Header{}}
		if info != "" {
			resp.Header.Set("Authentication-Info", info)
		}
		var rep credentials.Reporter = s // session asks it through this interface
		return rep.Report(resp)
	}
	for _, c := range []struct{ info, code string }{
		{"sid=AAAABBBBCCCCDDDD, data=" + rfc7804ServerFinal, "scram-server-proved"},
		// A server that does not hold the keys cannot sign: one byte off.
		{"sid=AAAABBBBCCCCDDDD, data=" + base64.StdEncoding.EncodeToString([]byte("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")), "scram-server-proof-failed"},
		{"", "scram-no-server-proof"},
	} {
		notes := run(c.info)
		if len(notes) != 1 || notes[0].Code != c.code {
			t.Errorf("Authentication-Info %q: %+v, want %s", c.info, notes, c.code)
		}
	}
}

// keyhole send answers the practice server's SCRAM-SHA-256 in two legs,
// filed as attempts, for RFC 7804's user (up front, as the brief's command
// asks) and for alice (waiting for the challenge); a wrong password is a
// refusal after the proof, exit 4.
func TestSendSCRAMAgainstThePracticeServer(t *testing.T) {
	srv := startPractice(t)
	type attempt struct {
		Reason   string
		Carried  string
		Response struct{ Status int }
		Findings []struct{ Code string }
	}
	run := func(code int, args ...string) []attempt {
		t.Helper()
		r := keyhole(t, runOpts{}, append([]string{"send", "--json"}, append(args, srv.URL+"/scram")...)...)
		wantCode(t, r, code, args...)
		var doc struct{ Attempts []attempt }
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		noSecrets(t, r, "pencil", "wonderland")
		return doc.Attempts
	}
	codes := func(a attempt) []string {
		var out []string
		for _, f := range a.Findings {
			out = append(out, f.Code)
		}
		return out
	}
	as := run(0, "-u", "user:pencil", "--auth", "scram-sha-256")
	if len(as) != 2 || as[0].Response.Status != 401 || as[1].Response.Status != 200 ||
		as[0].Carried != "SCRAM-SHA-256" || !strings.Contains(as[1].Reason, "SCRAM-SHA-256 handshake, leg 2") {
		t.Fatalf("up front: %+v", as)
	}
	if !slices.Contains(codes(as[0]), "scram-challenge") || slices.Contains(codes(as[0]), "credentials-rejected") ||
		!slices.Contains(codes(as[1]), "scram-server-proved") {
		t.Errorf("findings %v then %v", codes(as[0]), codes(as[1]))
	}
	as = run(0, "-u", "alice:wonderland")
	if len(as) != 3 || as[0].Carried != "none" || as[2].Response.Status != 200 {
		t.Fatalf("answering the challenge: %+v", as)
	}
	as = run(exitAuth, "-u", "alice:nope")
	if last := as[len(as)-1]; last.Response.Status != 401 || !slices.Contains(codes(last), "credentials-rejected") {
		t.Fatalf("wrong password: %+v", as)
	}
}

// keyhole explain takes a SCRAM challenge apart and says what SCRAM is.
func TestExplainSCRAM(t *testing.T) {
	r := keyhole(t, runOpts{}, "explain", "SCRAM-SHA-256 sid=AAAABBBBCCCCDDDD, data="+rfc7804ServerFirst)
	wantCode(t, r, 0, "explain")
	for _, want := range []string{"salt (base64) W22ZaJ0SNY7soEsUEjb6gQ==", "PBKDF2 iterations 4096", "RFC 7804", "Authentication-Info"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}
	r = keyhole(t, runOpts{}, "explain", "SCRAM-SHA-256 sid=AAAABBBBCCCCDDDD, data="+rfc7804ClientFinal)
	if strings.Contains(r.stdout, "dHzbZapWIk4jUhN") {
		t.Errorf("explain shows the client proof:\n%s", r.stdout)
	}
}

// A server's SCRAM challenge is untrusted bytes: explaining it and
// answering it must not panic, and what is shown is safe for a terminal.
func FuzzSCRAMChallenge(f *testing.F) {
	f.Add("SCRAM-SHA-256 sid=AAAABBBBCCCCDDDD, data=" + rfc7804ServerFirst)
	f.Add(`SCRAM-SHA-256 realm="x", data="` + base64.StdEncoding.EncodeToString([]byte("r=\x1b[2J,s=,i=-1,e=\u202e")) + `"`)
	f.Add("SCRAM-SHA-256 sid=0,dAtA=0z0000000000") // an attribute name that is no UTF-8, once shown raw
	f.Fuzz(func(t *testing.T, v string) {
		chs, _ := httpclient.ParseChallenges(v)
		for _, ch := range chs {
			for _, l := range append(session.TokenDetails(ch, time.Time{}), session.Describe(ch)) {
				if httpclient.SafeLine(l) != l {
					t.Fatalf("unsafe line %q", l)
				}
			}
			s := &credentials.SCRAM{User: "user", Password: "pencil"}
			r := &httpclient.Request{Header: http.Header{}}
			if s.Apply(r, &httpclient.Challenge{Scheme: "SCRAM-SHA-256"}) == nil {
				s.Apply(r, &ch)
			}
		}
	})
}

// keyhole send -u and the TUI's picker make the same attempts for SCRAM:
// the bare 401, leg 1's 401 with the server's first message, leg 2's 200.
func TestParitySCRAM(t *testing.T) {
	runParity(t, scenario{
		name: "SCRAM-SHA-256", server: practiceEnv, url: at("/scram"),
		send: func(e env) [][]string { return [][]string{{"-u", alice, e.url + "/scram"}} },
		tui: func(d *tuiUser, e env) {
			d.press(enterKey)
			d.answer("SCRAM-SHA-256", practice.User, practice.Password)
		},
		want: []string{"401", "401", "200"},
	})
}

// curl has no SCRAM: the exported command says its header was one leg's.
func TestCurlExportOfSCRAMSaysCurlCannotRunIt(t *testing.T) {
	srv := startPractice(t)
	r := keyhole(t, runOpts{}, "send", "--print-curl", "-u", "alice:wonderland", srv.URL+"/scram")
	wantCode(t, r, 0, "send --print-curl")
	if !strings.Contains(r.stdout, "# curl cannot run SCRAM-SHA-256's legs") || strings.Contains(r.stdout, "wonderland") {
		t.Fatalf("curl export:\n%s", r.stdout)
	}
}
