package credentials

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/xdg-go/scram"

	"keyhole/httpclient"
)

// SCRAM answers a SCRAM-SHA-256 challenge (RFC 7804: SCRAM, RFC 5802 and
// RFC 7677, over HTTP) in two legs: the first request carries the
// client-first message (the user name and a nonce), the server answers 401
// with a sid and its first message (its nonce, the salt and the PBKDF2
// iteration count), and the retry carries the client's proof of the
// password, which never goes on the wire. The server's 200 proves back, in
// Authentication-Info, that it knows the password too. The messages and
// the proofs are github.com/xdg-go/scram's; keyhole only carries them in
// HTTP headers and takes them apart to show them.
//
// The server keeps the conversation by its sid, not by the connection, so
// the legs may go on any connection: a Handshaker that is not
// ConnectionBound.
type SCRAM struct {
	User, Password string
	// Nonce, when set, makes the client nonce (tests: RFC 7804 §5's).
	Nonce func() string

	mu     sync.Mutex
	conv   *scram.ClientConversation
	leg    int  // the message last sent: 0, 1 (client-first) or 2 (client-final)
	proved bool // the server's proof was read
}

const scramScheme = "SCRAM-SHA-256"

func (*SCRAM) Scheme() string { return scramScheme }

// Validate checks the user before anything is sent.
func (s *SCRAM) Validate() error {
	if s.User == "" {
		return errors.New("scram: no user; give the user name and password (User and Password)")
	}
	return checkUserPassword("scram", s.User, s.Password)
}

// Apply sends the client-first message when ch carries no server message
// (the server's first challenge, or none yet), and the client-final
// message answering ch's server-first otherwise.
func (s *SCRAM) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sid, data := "", ""
	if ch != nil {
		sid, data = ch.Param("sid"), ch.Param("data")
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	if data == "" || s.leg != 1 {
		c, err := scram.SHA256.NewClient(s.User, s.Password, "")
		if err != nil {
			return fmt.Errorf("scram: %v", err)
		}
		if s.Nonce != nil {
			c = c.WithNonceGenerator(s.Nonce)
		}
		s.conv = c.NewConversation()
		first, err := s.conv.Step("")
		if err != nil {
			return fmt.Errorf("scram: %v", err)
		}
		v := scramScheme + " "
		if ch != nil {
			if realm, ok := ch.Get("realm"); ok {
				v += "realm=" + quoteParam(realm) + ", "
			}
		}
		r.Header.Set(HeaderFor(ch), v+"data="+base64.StdEncoding.EncodeToString([]byte(first)))
		s.leg, s.proved = 1, false
		return nil
	}
	if sid == "" {
		return errors.New("scram: the server's message has no sid to answer with (RFC 7804 §5)")
	}
	msg, err := scramData(data)
	if err != nil {
		return fmt.Errorf("scram: the server's first message is malformed: %v", err)
	}
	final, err := s.conv.Step(msg)
	if err != nil {
		s.leg = 0
		return fmt.Errorf("scram: cannot answer the server's first message: %v", err)
	}
	r.Header.Set(HeaderFor(ch), scramScheme+" sid="+quoteParam(sid)+", data="+base64.StdEncoding.EncodeToString([]byte(final)))
	s.leg = 2
	return nil
}

// Continues reports whether ch carries the server-first message that the
// client-final answers: the handshake goes on rather than being refused.
func (s *SCRAM) Continues(ch *httpclient.Challenge) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leg == 1 && ch != nil && ch.Param("sid") != "" && ch.Param("data") != ""
}

// ConnectionBound is false: the sid, not the connection, names the exchange.
func (*SCRAM) ConnectionBound() bool { return false }

// Report checks, once the client-final was answered, the server's own proof
// in Authentication-Info: its ServerSignature, which only a server holding
// the password's keys can compute (mutual authentication).
func (s *SCRAM) Report(resp *httpclient.Response) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leg != 2 || s.proved || resp.Status >= 400 {
		return nil
	}
	s.proved = true
	info := resp.Header.Get("Authentication-Info")
	var data string
	if info != "" {
		chs, _ := httpclient.ParseChallenges(scramScheme + " " + info)
		if len(chs) > 0 {
			data = chs[0].Param("data")
		}
	}
	if data == "" {
		return []Note{{Code: "scram-no-server-proof", Severity: "warning",
			Message: "The server took the proof but sent no Authentication-Info with its own signature: nothing shows it knows the password (RFC 7804 §5).",
			Next:    "Expect Authentication-Info: sid=…, data=… on the 200; without it, a server that accepts anything looks the same."}}
	}
	msg, err := scramData(data)
	if err == nil {
		_, err = s.conv.Step(msg)
	}
	if err != nil || !s.conv.Valid() {
		why := "its signature does not match"
		if err != nil {
			why = err.Error()
		}
		return []Note{{Code: "scram-server-proof-failed", Severity: "error",
			Message: "The server's proof in Authentication-Info does not check out: " + why + ".",
			Next:    "Do not trust this answer: whatever answered does not know your password's keys."}}
	}
	return []Note{{Code: "scram-server-proved", Severity: "info",
		Message: "The server proved it knows your password's keys: its ServerSignature in Authentication-Info checks out (SCRAM mutual authentication)."}}
}

// Forget drops the conversation: the next request starts a new one.
func (s *SCRAM) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conv, s.leg, s.proved = nil, 0, false
}

// scramData decodes a data= value: base64 of one SCRAM message. RFC 7804
// §5's example values end in a line feed that is not part of the message.
func scramData(v string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", fmt.Errorf("data is not base64: %v", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// quoteParam writes an auth-param value as a token when it is one, else
// as a quoted-string (RFC 9110 §11.2).
func quoteParam(v string) string {
	if v != "" && !strings.ContainsFunc(v, func(r rune) bool {
		return r > '~' || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	}) {
		return v
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// scramAttrs splits a SCRAM message into its attributes, in order, after
// the GS2 header of a client-first ("n,,").
func scramAttrs(msg string) [][2]string {
	parts := strings.Split(msg, ",")
	if len(parts) > 2 && (parts[0] == "n" || parts[0] == "y" || strings.HasPrefix(parts[0], "p=")) {
		parts = parts[2:]
	}
	var out [][2]string
	for _, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok && len(k) == 1 {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// scramWords says what a SCRAM challenge asks for: the first one a proof of
// the password, a later one (with sid and data) the server's first message.
func scramWords(c httpclient.Challenge) string {
	realm := ""
	if r, ok := c.Get("realm"); ok {
		realm = "realm '" + httpclient.SafeLine(r) + "', "
	}
	data := c.Param("data")
	if data == "" {
		return realm + "wants a proof of the password in two legs, never the password itself (RFC 7804)"
	}
	lines := scramToken(c, time.Time{})
	return realm + "sid " + httpclient.SafeLine(c.Param("sid")) + ", the server's first message: " + strings.Join(lines, ", ")
}

// scramToken takes apart the SCRAM message in a challenge's or a pasted
// credential's data=, one attribute a line; the client's proof is masked.
func scramToken(c httpclient.Challenge, _ time.Time) []string {
	data := c.Param("data")
	if data == "" {
		return nil
	}
	msg, err := scramData(data)
	if err != nil {
		return []string{"malformed SCRAM data: " + httpclient.SafeLine(err.Error())}
	}
	words := map[string]string{"n": "user", "r": "nonce", "s": "salt (base64)", "i": "PBKDF2 iterations",
		"c": "channel binding (base64 of the GS2 header)", "v": "server signature", "e": "server error", "m": "extension"}
	var out []string
	for _, a := range scramAttrs(msg) {
		v := a[1]
		if a[0] == "p" {
			out = append(out, "client proof "+Mask(v))
			continue
		}
		w, ok := words[a[0]]
		if !ok {
			w = a[0]
		}
		out = append(out, httpclient.SafeLine(w+" "+v))
	}
	return out
}

// scramDetail tells SCRAM headers apart: the user of a client-first, "proof"
// for a client-final.
func scramDetail(value string) string {
	chs, _ := httpclient.ParseChallenges(strings.TrimSpace(value))
	if len(chs) == 0 {
		return ""
	}
	msg, err := scramData(chs[0].Param("data"))
	if err != nil {
		return ""
	}
	for _, a := range scramAttrs(msg) {
		switch a[0] {
		case "n":
			return httpclient.SafeLine(a[1])
		case "p":
			return "proof"
		}
	}
	return ""
}

// scramLeg: the server's first message answering a client-first is leg 1
// of 2 going to plan, not a refusal.
func scramLeg(sent string, ch httpclient.Challenge) (Note, bool) {
	if ch.Param("sid") == "" || ch.Param("data") == "" {
		return Note{}, false
	}
	chs, _ := httpclient.ParseChallenges(strings.TrimSpace(sent))
	if len(chs) == 0 || chs[0].Param("sid") != "" {
		return Note{}, false // the proof was sent: a challenge now is a refusal
	}
	return Note{Code: "scram-challenge", Severity: "info",
		Message: "Leg 1 of 2: the server answered your user name and nonce with its own nonce, the salt and the iteration count (sid " + httpclient.SafeLine(ch.Param("sid")) + ").",
		Next:    "keyhole answers with a proof computed from the salted password; the password itself is never sent."}, true
}

func init() {
	Register(Description{
		// SCRAM proves the password without sending it, and the server
		// proves itself back; unlike Digest its stored keys are salted and
		// stretched, so it ranks above Digest and NTLM, below Negotiate.
		Mode: "scram-sha-256", Order: 110, Title: "SCRAM-SHA-256", Wire: scramScheme, Rank: 32, Fields: userPassword,
		Headers: []string{"Authorization"},
		Build: func(v map[string]string) (Authorizer, error) {
			s := &SCRAM{User: v["user"], Password: v["password"]}
			return s, s.Validate()
		},
		Detail:  scramDetail,
		Leg:     scramLeg,
		Explain: scramWords,
		Token:   scramToken,
		About: []string{
			"SCRAM-SHA-256 over HTTP (RFC 7804) proves the password in two legs without sending it: the client sends its user name and a nonce, the server answers 401 with a sid, a salt and an iteration count, and the client's retry carries a proof computed from the salted, stretched password.",
			"The server then proves itself back: Authentication-Info on the 200 carries its signature, which keyhole checks (finding scram-server-proved).",
			"Answer it with keyhole send -u user:password URL (--auth scram-sha-256 sends the first leg up front).",
		},
	})
}
