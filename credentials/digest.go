package credentials

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"keyhole/httpclient"
)

// Digest answers RFC 7616 Digest challenges. The zero value with User and
// Password set is ready; a Digest remembers how many times it used each nonce
// (the nc counter), so keep one per user and server. Safe for concurrent use.
type Digest struct {
	User     string
	Password string
	// AuthInt asks for qop=auth-int (the body is hashed too) when the server
	// offers it; otherwise auth is preferred, as curl does, because auth-int
	// breaks on any proxy or server that rewrites the body.
	AuthInt bool
	// CNonce returns the client nonce; nil means 16 bytes from crypto/rand.
	// Tests set it to reproduce published vectors.
	CNonce func() (string, error)

	mu   sync.Mutex
	nc   map[string]uint32 // realm+nonce → requests sent with it
	last string            // the nonce of the last Apply, to spot a stale loop
}

func (*Digest) Scheme() string { return "Digest" }

// digestMaxNonces bounds the nc table; a server that hands out a nonce per request
// would otherwise grow it for as long as the session runs.
const digestMaxNonces = 256

// Digest algorithms, strongest first.
var digestAlgorithms = []struct {
	name string
	new  func() hash.Hash
	rank int
}{
	{"SHA-512-256", sha512.New512_256, 3},
	{"SHA-256", sha256.New, 2},
	{"MD5", md5.New, 1},
}

// digestHash returns the hash of algorithm (with or without -sess) and whether
// it is a session variant.
func digestHash(algorithm string) (newHash func() hash.Hash, rank int, sess bool, err error) {
	name := algorithm
	if name == "" {
		name = "MD5" // RFC 7616 §3.3: absent means MD5
	}
	base, sess := strings.CutSuffix(strings.ToUpper(name), "-SESS")
	for _, a := range digestAlgorithms {
		if base == a.name {
			return a.new, a.rank, sess, nil
		}
	}
	return nil, 0, false, fmt.Errorf("digest: the server asks for algorithm %q; keyhole supports MD5, SHA-256 and SHA-512-256, each also with -sess", algorithm)
}

// DigestInput is everything a Digest response is computed from.
type DigestInput struct {
	Algorithm string // as in the challenge; "" means MD5
	User      string // the real user name, also when userhash is used
	Realm     string
	Password  string
	Method    string
	URI       string // the request-target, as sent in uri=
	Body      []byte // hashed only for qop=auth-int
	Nonce     string
	CNonce    string
	NC        string // 8 hex digits
	QOP       string // "auth", "auth-int" or "" (RFC 2069)
}

// DigestResult holds the intermediate values too, so the user can compare
// them with a server's logs or another client's.
type DigestResult struct {
	HA1, HA2 string
	Response string
	UserHash string // H(user ":" realm), sent as username when userhash=true
}

// DigestResponse computes an RFC 7616 §3.4.1 response.
func DigestResponse(in DigestInput) (DigestResult, error) {
	newHash, _, sess, err := digestHash(in.Algorithm)
	if err != nil {
		return DigestResult{}, err
	}
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	if sess && in.QOP == "" {
		return DigestResult{}, fmt.Errorf("digest: the server offered %s without qop; RFC 7616 §3.4 requires qop for -sess, so no valid answer exists; report it to the server's owner", in.Algorithm)
	}
	var qop string
	switch in.QOP {
	case "", "auth", "auth-int":
		qop = in.QOP
	default:
		return DigestResult{}, fmt.Errorf("digest: unknown qop %q; only auth and auth-int exist", in.QOP)
	}
	ha1 := h(in.User + ":" + in.Realm + ":" + in.Password)
	if sess {
		ha1 = h(ha1 + ":" + in.Nonce + ":" + in.CNonce)
	}
	a2 := in.Method + ":" + in.URI
	if qop == "auth-int" {
		a2 += ":" + h(string(in.Body))
	}
	ha2 := h(a2)
	var resp string
	if qop == "" {
		resp = h(ha1 + ":" + in.Nonce + ":" + ha2)
	} else {
		resp = h(ha1 + ":" + in.Nonce + ":" + in.NC + ":" + in.CNonce + ":" + qop + ":" + ha2)
	}
	return DigestResult{HA1: ha1, HA2: ha2, Response: resp, UserHash: h(in.User + ":" + in.Realm)}, nil
}

// DigestQOPs returns the qop values a challenge offers, trimmed, in order.
// Empty items are skipped (RFC 9110 §5.6.1.2).
func DigestQOPs(ch httpclient.Challenge) []string {
	out := ch.List("qop")
	for i, q := range out {
		out[i] = strings.ToLower(q)
	}
	return out
}

// chooseQOP picks auth over auth-int unless the user wants auth-int; values
// keyhole does not know are ignored (curl test388: "crazy, auth").
func chooseQOP(offered []string, authInt bool) (string, error) {
	if len(offered) == 0 {
		return "", nil
	}
	var auth, integ bool
	for _, q := range offered {
		auth = auth || q == "auth"
		integ = integ || q == "auth-int"
	}
	switch {
	case integ && (authInt || !auth):
		return "auth-int", nil
	case auth:
		return "auth", nil
	}
	return "", fmt.Errorf("digest: the server offers only qop %q; keyhole knows auth and auth-int", strings.Join(offered, ", "))
}

// Apply answers ch with an Authorization (or Proxy-Authorization) header.
func (d *Digest) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	if ch == nil || !ch.Is("Digest") {
		return errors.New("digest: there is no Digest challenge to answer yet; send the request once without credentials to get one")
	}
	if strings.ContainsFunc(d.User, isCTL) || strings.ContainsFunc(d.Password, isCTL) {
		return errors.New("digest: the user name or password contains a control character; remove it")
	}
	nonce, ok := ch.Get("nonce")
	if !ok || nonce == "" {
		return errors.New("digest: the challenge has no nonce, so no response can be computed; the server is broken")
	}
	algorithm := ch.Param("algorithm")
	if _, _, _, err := digestHash(algorithm); err != nil {
		return err
	}
	qop, err := chooseQOP(DigestQOPs(*ch), d.AuthInt)
	if err != nil {
		return err
	}
	uri, err := digestURI(r.URL)
	if err != nil {
		return err
	}
	realm := ch.Param("realm")
	for _, name := range []string{"realm", "nonce", "opaque", "algorithm"} {
		if strings.ContainsFunc(ch.Param(name), isCTL) {
			return fmt.Errorf("digest: the server's %s contains control characters; refusing to echo it into a header", name)
		}
	}
	in := DigestInput{
		Algorithm: algorithm, User: d.User, Realm: realm, Password: d.Password,
		Method: r.Method, URI: uri, Body: r.Body, Nonce: nonce, QOP: qop,
	}
	if in.Method == "" {
		in.Method = "GET"
	}
	if qop != "" {
		if in.CNonce, err = d.cnonce(); err != nil {
			return err
		}
		in.NC = fmt.Sprintf("%08x", d.count(realm, nonce))
	} else {
		d.mu.Lock()
		d.last = nonce
		d.mu.Unlock()
	}
	res, err := DigestResponse(in)
	if err != nil {
		return err
	}
	r.Header.Set(HeaderFor(ch), d.header(in, res, ch))
	return nil
}

// header formats the credentials. algorithm, qop and nc are never quoted
// (RFC 7616 §3.4), unlike psf/requests, which quotes them.
func (d *Digest) header(in DigestInput, res DigestResult, ch *httpclient.Challenge) string {
	var b strings.Builder
	b.WriteString("Digest ")
	userhash := strings.EqualFold(ch.Param("userhash"), "true")
	switch {
	case userhash:
		b.WriteString("username=" + quoteDigest(res.UserHash))
	case needsRFC8187(in.User):
		b.WriteString("username*=" + rfc8187Value(in.User))
	default:
		b.WriteString("username=" + quoteDigest(in.User))
	}
	b.WriteString(", realm=" + quoteDigest(in.Realm))
	b.WriteString(", uri=" + quoteDigest(in.URI))
	if _, ok := ch.Get("algorithm"); ok {
		b.WriteString(", algorithm=" + in.Algorithm)
	}
	b.WriteString(", nonce=" + quoteDigest(in.Nonce))
	if in.QOP != "" {
		b.WriteString(", nc=" + in.NC + ", cnonce=" + quoteDigest(in.CNonce) + ", qop=" + in.QOP)
	}
	b.WriteString(", response=" + quoteDigest(res.Response))
	if opaque, ok := ch.Get("opaque"); ok {
		b.WriteString(", opaque=" + quoteDigest(opaque))
	}
	if userhash {
		b.WriteString(", userhash=true")
	}
	return b.String()
}

// digestURI is the uri= value: the path and query as they go on the wire.
func digestURI(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("digest: cannot read the URL %q: %w", raw, err)
	}
	return u.RequestURI(), nil
}

func (d *Digest) cnonce() (string, error) {
	if d.CNonce != nil {
		return d.CNonce()
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("digest: cannot draw a random cnonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// count returns the next nc for nonce: 1 for its first use, then 2, 3, …
func (d *Digest) count(realm, nonce string) uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.nc == nil || len(d.nc) >= digestMaxNonces {
		d.nc = map[string]uint32{}
	}
	key := realm + "\x00" + nonce
	d.nc[key]++
	d.last = nonce
	return d.nc[key]
}

// Choose picks the Digest challenge with the strongest algorithm keyhole
// supports. index is -1 when chs holds no Digest challenge it can answer.
func (d *Digest) Choose(chs []httpclient.Challenge) (index int, why string) {
	best, bestRank := -1, 0
	var offered []string
	for i, c := range chs {
		if !c.Is("Digest") {
			continue
		}
		alg := c.Param("algorithm")
		if alg == "" {
			alg = "MD5"
		}
		offered = append(offered, alg)
		if _, rank, _, err := digestHash(alg); err == nil && rank > bestRank {
			best, bestRank = i, rank
		}
	}
	switch {
	case best < 0 && len(offered) == 0:
		return -1, "no Digest challenge was offered"
	case best < 0:
		return -1, "none of the offered Digest algorithms (" + strings.Join(offered, ", ") + ") is supported"
	case len(offered) == 1:
		return best, "chose " + offered[0] + ": the only Digest algorithm offered"
	}
	return best, "chose " + digestAlgName(chs[best]) + ": strongest of " + strings.Join(offered, ", ") + " offered"
}

func digestAlgName(c httpclient.Challenge) string {
	if a := c.Param("algorithm"); a != "" {
		return a
	}
	return "MD5"
}

// Rejected tells a stale nonce (retry at once with the new one) from a wrong
// password (a new nonce without stale=true, RFC 7616 §3.3, as curl reads it).
func (d *Digest) Rejected(ch *httpclient.Challenge) string {
	if ch == nil || !ch.Is("Digest") || !strings.EqualFold(ch.Param("stale"), "true") {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if ch.Param("nonce") == d.last {
		// "stale" with the nonce just used: retrying would loop.
		return ""
	}
	return "nonce went stale: recomputing with the new nonce"
}

// Forget drops every nonce count.
func (d *Digest) Forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nc, d.last = nil, ""
}

// quote makes a quoted-string (RFC 9110 §5.6.4).
func quoteDigest(s string) string { return `"` + digestQuoter.Replace(s) + `"` }

var digestQuoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// needsRFC8187 reports whether a user name cannot travel as a plain
// quoted-string and needs username* (RFC 7616 §3.4.4).
func needsRFC8187(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r > 0x7e })
}

// rfc8187Value encodes s as an RFC 8187 ext-value in UTF-8.
func rfc8187Value(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	b.WriteString("UTF-8''")
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func init() {
	Register(Description{
		Mode: "digest", Order: 20, Title: "Digest", Wire: "Digest", Rank: 30, Challenged: true, Proxy: true, Fields: userPassword,
		Headers: []string{"Authorization"}, Curl: "--digest",
		Build: func(v map[string]string) (Authorizer, error) {
			// A ':' in the user is no problem here: username is a
			// quoted-string (RFC 7616 §3.4), unlike Basic's user-id.
			if err := checkUserPassword("digest", v["user"], v["password"]); err != nil {
				return nil, err
			}
			return &Digest{User: v["user"], Password: v["password"]}, nil
		},
		Detail: digestAlgorithm, CurlArgs: digestCurl,
	})
}

// digestAlgorithm is the algorithm of a Digest header value ("MD5" when it
// names none, RFC 7616 §3.4).
func digestAlgorithm(value string) string {
	h := map[string][]string{"Www-Authenticate": {value}}
	chs, _ := httpclient.ParseHeader(h, httpclient.WWWAuthenticate)
	if len(chs) == 0 {
		return ""
	}
	if a := chs[0].Param("algorithm"); a != "" {
		return httpclient.SafeLine(a)
	}
	return "MD5"
}

// digestCurl: curl --digest -u USER:$KEYHOLE_PASSWORD (--proxy-digest -U
// for a proxy); only the password's hash was sent.
func digestCurl(value string, _ http.Header, proxy bool) []CurlOption {
	chs, _ := httpclient.ParseChallenges(value)
	if len(chs) != 1 {
		return nil
	}
	return curlLogin("--digest", proxy, CurlPiece{Text: chs[0].Param("username")}, CurlPiece{Unsent: true})
}
