package practice

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// schemeRoutes registers Digest, API keys, registry tokens and mTLS endpoints.
func (s *Server) schemeRoutes(mux *http.ServeMux) {
	mux.Handle("/digest", newDigestVerifier(s.clock, []string{"SHA-256", "MD5"}, "auth, auth-int", false))
	mux.Handle("/digest/sha512", newDigestVerifier(s.clock, []string{"SHA-512-256"}, "auth", true))
	mux.HandleFunc("/apikey", apiKeyEndpoint)
	reg := &registry{now: s.clock, tokens: map[string]registryGrant{}}
	mux.HandleFunc("/registry/v2/", reg.v2)
	mux.HandleFunc("/registry/token", reg.token)
	mux.HandleFunc("/mtls", mtlsEndpoint)
}

func (s *Server) schemeEndpoints() []Endpoint {
	out := []Endpoint{
		{"GET", "/digest", "Digest", User + " / " + Password + " (SHA-256 or MD5, qop auth or auth-int)"},
		{"GET", "/digest/sha512", "Digest", User + " / " + Password + " (SHA-512-256, userhash)"},
		{"GET", "/apikey", "API key", "X-API-Key: " + apiKey + " or ?api_key=" + apiKey},
		{"GET", "/registry/v2/", "Bearer (registry token)", "anonymous pull via /registry/token; " + User + " / " + Password + " for push"},
	}
	if strings.HasPrefix(s.URL, "https:") {
		out = append(out, Endpoint{"GET", "/mtls", "mTLS", "the client certificate made by MTLSMaterial"})
	}
	return out
}

// sharedDigest verifies Digest for endpoints that offer it beside other
// schemes (lab.go's /multi): SHA-256, qop auth, alice / wonderland.
var sharedDigest = sync.OnceValue(func() *digestVerifier {
	return newDigestVerifier(time.Now, []string{"SHA-256"}, "auth", false)
})

// sharedDigestChallenge returns a fresh WWW-Authenticate value of sharedDigest.
func sharedDigestChallenge() string { return sharedDigest().challenges(false)[0] }

// sharedDigestOK reports whether r carries valid Digest credentials for alice.
func sharedDigestOK(r *http.Request) bool {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	_, _, why := sharedDigest().verify(r, body)
	return why == ""
}

// Digest nonces go stale after this long or this many accepted requests, so
// the lesson can show stale=true without waiting long.
const (
	digestNonceLife = 30 * time.Second
	digestNonceUses = 10
	// digestNonceKept is how long an old nonce is remembered, to answer
	// stale=true rather than treat a late request as a wrong password.
	digestNonceKept = 10 * time.Minute
	maxDigestNonces = 10000
)

// digestVerifier is a server-side RFC 7616 Digest check: it issues nonces,
// counts their uses and nc values, and recomputes the client's response.
type digestVerifier struct {
	now        func() time.Time
	algorithms []string // offered, one challenge each, in this order
	qop        string   // as offered, e.g. "auth, auth-int"
	userhash   bool
	opaque     string
	// proxy verifiers challenge in Proxy-Authenticate with a 407, in
	// the proxy's realm, and read Proxy-Authorization.
	proxy bool

	mu     sync.Mutex
	nonces map[string]*digestNonce
}

type digestNonce struct {
	issued time.Time
	uses   int
	lastNC uint64
}

func newDigestVerifier(now func() time.Time, algorithms []string, qop string, userhash bool) *digestVerifier {
	return &digestVerifier{
		now: now, algorithms: algorithms, qop: qop, userhash: userhash,
		opaque: hex.EncodeToString(randomBytes(16)), nonces: map[string]*digestNonce{},
	}
}

// challenges returns one WWW-Authenticate value per algorithm, all with the
// same fresh nonce, as in RFC 7616 §3.9.1.
func (d *digestVerifier) challenges(stale bool) []string {
	nonce := d.newNonce()
	var out []string
	for _, alg := range d.algorithms {
		c := fmt.Sprintf(`Digest realm="%s", qop="%s", algorithm=%s, nonce="%s", opaque="%s", charset=UTF-8`, d.realm(), d.qop, alg, nonce, d.opaque)
		if d.userhash {
			c += ", userhash=true"
		}
		if stale {
			c += ", stale=true"
		}
		out = append(out, c)
	}
	return out
}

func (d *digestVerifier) realm() string {
	if d.proxy {
		return ProxyRealm
	}
	return Realm
}

func (d *digestVerifier) newNonce() string {
	nonce := hex.EncodeToString(randomBytes(16))
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for n, st := range d.nonces {
		if now.Sub(st.issued) > digestNonceKept {
			delete(d.nonces, n)
		}
	}
	if len(d.nonces) >= maxDigestNonces {
		d.nonces = map[string]*digestNonce{}
	}
	d.nonces[nonce] = &digestNonce{issued: now}
	return nonce
}

func (d *digestVerifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	v, stale, why := d.verify(r, body)
	if why != "" {
		d.refuse(w, stale, why)
		return
	}
	w.Header().Set("Authentication-Info", v.authInfo)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "user": User, "scheme": "Digest", "algorithm": v.algorithm, "qop": v.qop, "nc": v.nc})
}

// refuse answers 401 (a proxy verifier 407) with fresh challenges.
func (d *digestVerifier) refuse(w http.ResponseWriter, stale bool, why string) {
	header, status := "WWW-Authenticate", http.StatusUnauthorized
	if d.proxy {
		header, status = "Proxy-Authenticate", http.StatusProxyAuthRequired
	}
	for _, c := range d.challenges(stale) {
		w.Header().Add(header, c)
	}
	http.Error(w, fmt.Sprintf("%d %s: %s", status, http.StatusText(status), why), status)
}

type digestAccepted struct {
	algorithm, qop, nc string
	authInfo           string
}

// verify checks the Authorization header. why is "" when it is accepted;
// stale is true when the credentials were right but the nonce is used up,
// which is the only case RFC 7616 §3.3 allows stale=true for.
func (d *digestVerifier) verify(r *http.Request, body []byte) (ok digestAccepted, stale bool, why string) {
	credHeader := "Authorization"
	if d.proxy {
		credHeader = "Proxy-Authorization"
	}
	h := r.Header.Get(credHeader)
	if h == "" {
		return ok, false, "send Digest credentials " + User + " / " + Password
	}
	chs, _ := httpclient.ParseChallenges(h)
	if len(chs) != 1 || !chs[0].Is("Digest") {
		return ok, false, "this endpoint wants Digest credentials, not " + firstWord(h)
	}
	c := chs[0]
	get := c.Param
	alg := get("algorithm")
	if alg == "" {
		alg = "MD5"
	}
	offered := false
	for _, a := range d.algorithms {
		offered = offered || strings.EqualFold(a, alg)
	}
	if !offered {
		return ok, false, fmt.Sprintf("algorithm %s was not offered; use %s", alg, strings.Join(d.algorithms, " or "))
	}
	qop := get("qop")
	if qop != "auth" && !(qop == "auth-int" && strings.Contains(d.qop, "auth-int")) {
		return ok, false, fmt.Sprintf("qop %q was not offered; use one of %s", qop, d.qop)
	}
	if get("realm") != d.realm() {
		return ok, false, fmt.Sprintf("realm %q is not %q", get("realm"), d.realm())
	}
	if get("opaque") != d.opaque {
		return ok, false, "opaque must be echoed unchanged"
	}
	if uri := get("uri"); uri != r.URL.RequestURI() {
		return ok, false, fmt.Sprintf("uri %q does not match the request target %q", uri, r.URL.RequestURI())
	}
	nc, err := strconv.ParseUint(get("nc"), 16, 32)
	if err != nil || len(get("nc")) != 8 {
		return ok, false, "nc must be 8 hex digits"
	}
	want, err := credentials.DigestResponse(credentials.DigestInput{
		Algorithm: alg, User: User, Realm: d.realm(), Password: Password,
		Method: r.Method, URI: get("uri"), Body: body, Nonce: get("nonce"),
		CNonce: get("cnonce"), NC: get("nc"), QOP: qop,
	})
	if err != nil {
		return ok, false, err.Error()
	}
	if !d.userOK(c, want.UserHash) || !equal(get("response"), want.Response) {
		return ok, false, "wrong user name or password: the response hash does not match (a fresh nonce follows, without stale=true)"
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.nonces[get("nonce")]
	switch {
	case st == nil:
		return ok, false, "unknown nonce; answer the challenge below"
	case d.now().Sub(st.issued) > digestNonceLife || st.uses >= digestNonceUses:
		return ok, true, fmt.Sprintf("the nonce is stale (it lasts %s or %d requests); recompute with the new nonce", digestNonceLife, digestNonceUses)
	case nc <= st.lastNC:
		return ok, false, fmt.Sprintf("nc %08x was already used with this nonce; a replay is refused", nc)
	}
	st.uses++
	st.lastNC = nc
	// rspauth proves the server knows the password too: A2 without the method (RFC 7616 §3.5).
	rsp, _ := credentials.DigestResponse(credentials.DigestInput{
		Algorithm: alg, User: User, Realm: d.realm(), Password: Password,
		URI: get("uri"), Body: body, Nonce: get("nonce"), CNonce: get("cnonce"), NC: get("nc"), QOP: qop,
	})
	info := fmt.Sprintf(`rspauth="%s", qop=%s, nc=%s`, rsp.Response, qop, get("nc"))
	if cn := get("cnonce"); !strings.ContainsFunc(cn, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == '\\' }) {
		info += `, cnonce="` + cn + `"`
	}
	return digestAccepted{algorithm: alg, qop: qop, nc: get("nc"), authInfo: info}, false, ""
}

func (d *digestVerifier) userOK(c httpclient.Challenge, userhash string) bool {
	if d.userhash && strings.EqualFold(c.Param("userhash"), "true") {
		return equal(c.Param("username"), userhash)
	}
	if u, ok := c.Get("username*"); ok {
		charset, rest, _ := strings.Cut(u, "'")
		_, enc, _ := strings.Cut(rest, "'")
		name, err := url.PathUnescape(enc)
		return err == nil && strings.EqualFold(charset, "UTF-8") && equal(name, User)
	}
	return equal(c.Param("username"), User)
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	if len(w) > 20 {
		w = w[:20]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, w)
}

// apiKeyEndpoint wants the key in X-API-Key or ?api_key= and, like many real
// APIs, refuses with a 401 that carries no WWW-Authenticate at all.
func apiKeyEndpoint(w http.ResponseWriter, r *http.Request) {
	key, where := r.Header.Get("X-API-Key"), "X-API-Key header"
	if key == "" {
		key, where = r.URL.Query().Get("api_key"), "api_key query parameter"
	}
	if key != "" && equal(key, apiKey) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "scheme": "API key", "via": where})
		return
	}
	msg := "no API key: send the header X-API-Key: " + apiKey + " or the query parameter ?api_key=" + apiKey
	switch {
	case key != "":
		msg = "the API key in the " + where + " is not valid; the practice key is " + apiKey
	case r.Header.Get("Authorization") != "":
		msg = "an Authorization header is not where this API looks; send the key as X-API-Key: " + apiKey
	}
	writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized", "message": msg})
}

// Registry token service names, as a Docker / OCI registry announces them.
const (
	registryService = "practice-registry"
	registryRepo    = "demo"
	registryTTL     = 5 * time.Minute
)

// registry is a tiny OCI distribution front: /registry/v2/ demands a Bearer
// token that /registry/token issues (anonymously for pull, to alice for push).
type registry struct {
	now    func() time.Time
	mu     sync.Mutex
	tokens map[string]registryGrant
}

type registryGrant struct {
	actions []string // granted on registryRepo
	expires time.Time
}

func (g registryGrant) allows(action string) bool {
	for _, a := range g.actions {
		if a == action {
			return true
		}
	}
	return false
}

func registryError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"code": code, "message": message}}})
}

func (g *registry) v2(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	scope := "repository:" + registryRepo + ":pull"
	switch r.URL.Path {
	case "/registry/v2/", "/registry/v2/" + registryRepo + "/tags/list":
	default:
		registryError(w, http.StatusNotFound, "NAME_UNKNOWN", "only /registry/v2/ and /registry/v2/demo/tags/list exist here")
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	challenge := fmt.Sprintf(`Bearer realm="%s://%s/registry/token", service="%s", scope="%s"`, scheme, r.Host, registryService, scope)
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !equalFold(h[:7], "bearer ") {
		w.Header().Set("WWW-Authenticate", challenge)
		registryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required: get a token from the realm with this service and scope, then send it as Bearer")
		return
	}
	g.mu.Lock()
	grant, ok := g.tokens[h[7:]]
	g.mu.Unlock()
	switch {
	case !ok:
		w.Header().Set("WWW-Authenticate", challenge+`, error="invalid_token"`)
		registryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "this token was not issued by /registry/token")
		return
	case !g.now().Before(grant.expires):
		w.Header().Set("WWW-Authenticate", challenge+`, error="invalid_token", error_description="the token expired"`)
		registryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the token expired; get a new one")
		return
	case !grant.allows("pull"):
		w.Header().Set("WWW-Authenticate", challenge+`, error="insufficient_scope"`)
		registryError(w, http.StatusUnauthorized, "DENIED", "the token does not grant "+scope)
		return
	}
	if r.URL.Path == "/registry/v2/" {
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": registryRepo, "tags": []string{"latest"}})
}

// token is the registry's token service (the Docker token authentication
// specification): GET ?service=&scope=, optional Basic credentials.
func (g *registry) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if svc := q.Get("service"); svc != registryService {
		registryError(w, http.StatusBadRequest, "UNSUPPORTED", fmt.Sprintf("service %q is unknown; this token service serves %q", svc, registryService))
		return
	}
	user := ""
	if u, p, ok := r.BasicAuth(); ok {
		if !equal(u, User) || !equal(p, Password) {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+registryService+`"`)
			registryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "wrong user name or password; anonymous pull needs none")
			return
		}
		user = u
	}
	var granted []string
	for _, scope := range q["scope"] {
		for _, one := range strings.Fields(scope) {
			parts := strings.Split(one, ":")
			if len(parts) != 3 || parts[0] != "repository" || parts[1] != registryRepo {
				continue // unknown resources get no access, as registries do
			}
			for _, a := range strings.Split(parts[2], ",") {
				if a == "pull" || (a == "push" && user != "") {
					granted = append(granted, a)
				}
			}
		}
	}
	tok := hex.EncodeToString(randomBytes(24))
	now := g.now()
	g.mu.Lock()
	for t, gr := range g.tokens {
		if !now.Before(gr.expires) {
			delete(g.tokens, t)
		}
	}
	g.tokens[tok] = registryGrant{actions: granted, expires: now.Add(registryTTL)}
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"token": tok, "access_token": tok, "expires_in": int(registryTTL.Seconds()),
		"issued_at": now.UTC().Format(time.RFC3339),
	})
}

// mtlsEndpoint accepts a request whose TLS client certificate the server
// verified (MTLSMaterial's serverTLS asks for one but lets the handshake
// through without, so this page can say what is missing).
func mtlsEndpoint(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.TLS == nil:
		http.Error(w, "400 Bad Request: /mtls needs the practice server on TLS (keyhole practice --tls); there is no client certificate over plain HTTP", http.StatusBadRequest)
		return
	case len(r.TLS.PeerCertificates) == 0:
		http.Error(w, "403 Forbidden: no client certificate was presented; send the practice client certificate and key", http.StatusForbidden)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "scheme": "mTLS", "subject": r.TLS.PeerCertificates[0].Subject.CommonName})
}

// MTLSMaterial makes a throwaway certificate authority, a server certificate
// for 127.0.0.1, ::1 and localhost, and a client certificate for alice, all
// signed by that CA and valid for 30 days. It writes ca.pem, client.pem and
// client-key.pem (mode 0600) into dir for the client to use, and returns the
// CA in PEM, the client files, and a server configuration that verifies
// client certificates when they are sent (so /mtls can explain a missing one
// instead of failing the handshake).
func MTLSMaterial(dir string) (caPEM, certFile, keyFile string, serverTLS *tls.Config, err error) {
	fail := func(err error) (string, string, string, *tls.Config, error) {
		return "", "", "", nil, fmt.Errorf("practice: cannot make the mTLS certificates in %s: %w", dir, err)
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fail(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "keyhole practice CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(30 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return fail(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return fail(err)
	}
	issue := func(tmpl *x509.Certificate) (certPEM, keyPEM []byte, err error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = serial(), caTmpl.NotBefore, caTmpl.NotAfter
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return nil, nil, err
		}
		kder, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
	}
	srvCert, srvKey, err := issue(&x509.Certificate{
		Subject:  pkix.Name{CommonName: "keyhole practice server"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return fail(err)
	}
	cliCert, cliKey, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: User},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return fail(err)
	}
	caPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	certFile, keyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	for _, f := range []struct {
		path string
		data []byte
	}{{filepath.Join(dir, "ca.pem"), []byte(caPEM)}, {certFile, cliCert}, {keyFile, cliKey}} {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return fail(err)
		}
	}
	pair, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		return fail(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	serverTLS = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
		ClientCAs:    pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
	}
	return caPEM, certFile, keyFile, serverTLS, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}
