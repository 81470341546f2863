package practice

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/xdg-go/scram"

	"keyhole/httpclient"
)

// SCRAMPath is the SCRAM-SHA-256 lesson's endpoint (RFC 7804).
const SCRAMPath = "/scram"

// The user of RFC 7804 §5's example: /scram takes it beside alice.
const (
	SCRAMExampleUser     = "user"
	SCRAMExamplePassword = "pencil"
)

// scramServer verifies SCRAM-SHA-256 over HTTP with xdg-go/scram's server:
// each conversation lives under its sid between the two legs, for a minute.
type scramServer struct {
	verifier *scram.Server
	now      func() time.Time

	mu    sync.Mutex
	convs map[string]scramConv
}

type scramConv struct {
	conv    *scram.ServerConversation
	expires time.Time
}

// maxSCRAMConvs bounds the conversations kept, so a client that only ever
// sends first legs cannot grow the map without end.
const maxSCRAMConvs = 1000

func newSCRAMServer(s *Server) http.Handler {
	// Derived on the first SCRAM request: 4096 rounds of PBKDF2 per user
	// took 1.5 ms, most of starting the practice server, which the TUI
	// does beside its first frame.
	creds := sync.OnceValue(func() map[string]scram.StoredCredentials {
		creds := map[string]scram.StoredCredentials{}
		for user, password := range map[string]string{User: Password, SCRAMExampleUser: SCRAMExamplePassword} {
			salt := make([]byte, 16)
			rand.Read(salt)
			c, err := scram.SHA256.NewClient(user, password, "")
			if err != nil {
				panic(err) // fixed ASCII names: SASLprep cannot refuse them
			}
			creds[user] = c.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: 4096})
		}
		return creds
	})
	v, err := scram.SHA256.NewServer(func(user string) (scram.StoredCredentials, error) {
		c, ok := creds()[user]
		if !ok {
			return c, errors.New("unknown user")
		}
		return c, nil
	})
	if err != nil {
		panic(err)
	}
	return &scramServer{verifier: v, now: s.clock, convs: map[string]scramConv{}}
}

// challenge refuses the request with a fresh SCRAM-SHA-256 challenge.
func (h *scramServer) challenge(w http.ResponseWriter, why string) {
	w.Header().Set("WWW-Authenticate", `SCRAM-SHA-256 realm="practice"`)
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintln(w, why)
}

func (h *scramServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ch *httpclient.Challenge
	for _, v := range r.Header.Values("Authorization") {
		if chs, _ := httpclient.ParseChallenges(v); len(chs) == 1 && chs[0].Is("SCRAM-SHA-256") {
			ch = &chs[0]
		}
	}
	if ch == nil {
		h.challenge(w, "SCRAM-SHA-256 wanted: prove the password in two legs (RFC 7804).")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(ch.Param("data"))
	if err != nil || len(raw) == 0 {
		h.challenge(w, "data= is not base64 of a SCRAM message.")
		return
	}
	msg := strings.TrimRight(string(raw), "\r\n")
	if sid := ch.Param("sid"); sid != "" {
		h.final(w, sid, msg)
		return
	}
	conv := h.verifier.NewConversation()
	first, err := conv.Step(msg)
	if err != nil {
		h.challenge(w, "SCRAM refused the first message: "+err.Error())
		return
	}
	sid := make([]byte, 8)
	rand.Read(sid)
	id := hex.EncodeToString(sid)
	h.mu.Lock()
	now := h.now()
	for k, c := range h.convs {
		if now.After(c.expires) || len(h.convs) >= maxSCRAMConvs {
			delete(h.convs, k)
		}
	}
	h.convs[id] = scramConv{conv, now.Add(time.Minute)}
	h.mu.Unlock()
	// data= quoted: base64's '/' and '=' are no token characters (RFC 9110 §11.2).
	w.Header().Set("WWW-Authenticate", "SCRAM-SHA-256 sid="+id+`, data="`+base64.StdEncoding.EncodeToString([]byte(first))+`"`)
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintln(w, "Leg 1 of 2: here are the salt and the iteration count; prove the password.")
}

// final checks the client's proof for the conversation sid and, when it
// holds, proves the server back in Authentication-Info.
func (h *scramServer) final(w http.ResponseWriter, sid, msg string) {
	h.mu.Lock()
	c, ok := h.convs[sid]
	delete(h.convs, sid)
	h.mu.Unlock()
	if !ok || h.now().After(c.expires) {
		h.challenge(w, "No conversation under that sid (expired or never started): start again.")
		return
	}
	last, err := c.conv.Step(msg)
	if err != nil || !c.conv.Valid() {
		h.challenge(w, "The proof does not match: wrong password.")
		return
	}
	w.Header().Set("Authentication-Info", "sid="+sid+`, data="`+base64.StdEncoding.EncodeToString([]byte(last))+`"`)
	fmt.Fprintf(w, "Hello %s: SCRAM-SHA-256 proved your password without sending it.\n", c.conv.Username())
}

func init() {
	Register(Lesson{
		ID: "scram", Title: "SCRAM: a password proved, never sent",
		Teaches: "WWW-Authenticate: SCRAM-SHA-256 (RFC 7804) takes two legs: your user name and a nonce, then the server's salt and iteration count come back with a sid, and the retry carries a proof computed from the salted, stretched password. The server proves itself back in Authentication-Info.",
		Method:  "GET", Path: SCRAMPath,
		Credentials: "SCRAM-SHA-256: alice / wonderland (or RFC 7804's user / pencil)",
		Try:         "Send with no credentials and read the challenge; pick SCRAM-SHA-256 and enter alice / wonderland: keyhole sends both legs. Then forget the credentials (ctrl+x), send again and answer with a wrong password.",
		Checks:      "The client's proof against the stored keys of alice's salted password, with xdg-go/scram's server.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /scram with no credentials: 401, WWW-Authenticate: SCRAM-SHA-256 realm=\"practice\".",
			"Pick SCRAM-SHA-256 and enter alice / wonderland: leg 1 carries your name and a nonce; the 401 that answers carries a sid, the salt and 4096 iterations.",
			"Leg 2 carries the proof, not the password: 200, and Authentication-Info proves the server knows your keys too.",
			"Answer with a wrong password: the proof does not match, a fresh challenge comes back.",
		},
		Ticks: []Tick{bare401, {Status: 401, Carried: "scram-sha-256"}, {Status: 200, Carried: "scram-sha-256"},
			{Finding: "credentials-rejected", Carried: "scram-sha-256"}},
		Play: []Play{{Ticks: 1}, {Answer: "scram-sha-256", Values: []string{User, Password}, Ticks: 3},
			{Answer: "scram-sha-256", Values: []string{User, "nope"}, Forget: true, Ticks: 4}},
	}, newSCRAMServer, Endpoint{"GET", SCRAMPath, "SCRAM-SHA-256 (two legs, RFC 7804)", User + " / " + Password})
}
