package practice

import (
	"strings"
)

// Lesson is one exercise of the practice lab.
type Lesson struct {
	ID          string // stable, e.g. "basic"
	Title       string
	Teaches     string // what the lesson teaches, one or two sentences
	Method      string
	Path        string // request path on the practice server
	Credentials string // what to enter, e.g. "Basic: alice / wonderland"
	Try         string // what to try, including a mistake to make on purpose
	Checks      string // what the server checks
	Goal        Goal   // when the lesson is done
	// Steps is the checklist, in the order authentication goes: the first
	// request and its 401, reading the challenge, answering it, the retry,
	// and the mistake made on purpose.
	Steps []string
	// Ticks holds the check of each step, in the same order (ticks.go).
	Ticks []Tick
	// NoAutoRefresh and NoAutoStepUp turn off keyhole's automatic token
	// refresh and scope step-up while the lesson is open, so the failure
	// the lesson teaches happens before keyhole repairs it.
	NoAutoRefresh, NoAutoStepUp bool
	// Play is the lesson played from the TUI's keys, for the lab's tests,
	// when no script of its own plays it (ui/lessons_play_test.go): what
	// a learner following Try does.
	Play []Play
}

// Play is one thing a learner does in a lesson: send the request as it is
// (Answer ""), or answer the challenge with the scheme whose mode is Answer
// (credentials.Describe), typing Values into its form's fields in order;
// Forget first forgets the credentials given before. Ticks is how many of
// the lesson's steps have ticked after it.
type Play struct {
	Answer string
	Values []string
	Forget bool
	Ticks  int
}

// Goal is the outcome that completes a lesson: the final status of a request
// attempt, and optionally a finding code that must have been shown on the way
// ("a|b": either).
type Goal struct {
	Status  int
	Finding string
}

// Reached reports whether an attempt answered with status completes the
// lesson, given the finding codes shown so far during the lesson (all
// attempts, not only the last: the finding usually comes from the failure
// before the success). A zero Status accepts any status; an empty Finding
// needs none. An empty Goal is never reached.
func (g Goal) Reached(status int, findingCodes []string) bool {
	if g.Status == 0 && g.Finding == "" {
		return false
	}
	if g.Status != 0 && status != g.Status {
		return false
	}
	return g.Finding == "" || hasCode(findingCodes, g.Finding)
}

// LessonFor returns the lesson whose Path is path, ignoring any query, so a
// request typed by hand (/slow?ms=500) can still be matched to its lesson.
func LessonFor(path string) (Lesson, bool) {
	path, _, _ = strings.Cut(path, "?")
	for _, l := range Lessons() {
		if l.Path == path {
			return l, true
		}
	}
	return Lesson{}, false
}

// Credentials of the endpoints other files add, as the lessons name them.
const (
	clientCreds = "client practice-client / practice-secret, token URL /oauth/token"
	apiKey      = "practice-key"
)

// Lessons returns the lessons in teaching order: the schemes, simplest
// first, then challenges that are hard to read, then retries that fail for
// reasons other than the password, then what a server can do to a terminal
// and to patience.
func Lessons() []Lesson {
	ls := lessonTexts()
	for i := range ls {
		c := lessonChecks[ls[i].ID]
		ls[i].Ticks, ls[i].NoAutoRefresh, ls[i].NoAutoStepUp = c.ticks, c.noAutoRefresh, c.noAutoStepUp
	}
	return append(ls, addedLessons()...)
}

func lessonTexts() []Lesson {
	return []Lesson{{
		ID: "basic", Title: "Basic authentication",
		Teaches: "A 401 with WWW-Authenticate: Basic asks for a user name and password, sent base64-encoded (not encrypted) in every request.",
		Method:  "GET", Path: "/basic",
		Credentials: "Basic: alice / wonderland",
		Try:         "Send with no credentials, read the challenge, answer it; then forget the credentials (ctrl+x), send again and answer with a wrong password.",
		Checks:      "The Authorization header decodes to alice:wonderland.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /basic with no credentials: 401, WWW-Authenticate: Basic realm=\"practice\", charset=\"UTF-8\".",
			"Read the challenge: Basic, realm practice, UTF-8 user names allowed.",
			"Pick Basic and enter alice / wonderland.",
			"Retry: 200. The request carried Authorization: Basic YWxpY2U6d29uZGVybGFuZA== (anyone can decode it).",
		},
	}, {
		ID: "bearer", Title: "Bearer tokens",
		Teaches: "A Bearer challenge asks for a token; a wrong one comes back with error=\"invalid_token\".",
		Method:  "GET", Path: "/bearer",
		Credentials: "Bearer: practice-token",
		Try:         "Send a wrong token first and read the error, then the right one.",
		Checks:      "Authorization: Bearer practice-token.",
		Goal:        Goal{Status: 200, Finding: "token-invalid"},
		Steps: []string{
			"Send GET /bearer with no token: 401, Bearer realm=\"practice\" with no error (RFC 6750: no error code when no token was sent).",
			"Pick Bearer and enter a wrong token, e.g. guess.",
			"The retry fails: error=\"invalid_token\" (token-invalid).",
			"Retry with practice-token: 200.",
		},
	}, {
		ID: "digest", Title: "Digest authentication",
		Teaches: "Digest never sends the password: the client hashes it with the server's nonce. The server offers SHA-256 and MD5; keyhole picks the strongest.",
		Method:  "GET", Path: "/digest",
		Credentials: "Digest: alice / wonderland",
		Try:         "Answer with a wrong password and see a fresh nonce without stale=true; then the right one.",
		Checks:      "The response hash over user, realm, password, nonce, nc, cnonce, qop, method and URI.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /digest: 401 with two Digest challenges, SHA-256 then MD5, qop auth and auth-int, a nonce and an opaque.",
			"Read them: keyhole chooses SHA-256 and qop auth.",
			"Pick Digest and enter alice / a wrong password: 401 again with a new nonce and no stale=true (credentials-rejected).",
			"Retry with alice / wonderland: 200.",
		},
	}, {
		ID: "digest-sha512", Title: "Digest with SHA-512-256 and userhash",
		Teaches: "With userhash=true the user name itself is sent hashed, so the request does not reveal who is logging in.",
		Method:  "GET", Path: "/digest/sha512",
		Credentials: "Digest: alice / wonderland",
		Try:         "Answer it and look at the username parameter of the request: a hash, not alice. Then forget the password (ctrl+x), send again and try a wrong one.",
		Checks:      "username = H(alice:realm) with SHA-512-256, userhash=true, and the response hash.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /digest/sha512: 401, Digest algorithm=SHA-512-256, userhash=true.",
			"Pick Digest and enter alice / wonderland.",
			"Retry: 200; the request's username is a 64-digit hash.",
			"Retry with a wrong password: 401 and a new nonce (credentials-rejected).",
		},
	}, {
		ID: "apikey", Title: "API keys: a 401 that names no scheme",
		Teaches: "Many APIs want a key in a header, the query or a cookie and answer 401 with no WWW-Authenticate at all; the body or the docs say where the key goes.",
		Method:  "GET", Path: "/apikey",
		Credentials: "API key: X-API-Key: " + apiKey + " (or ?api_key=" + apiKey + ")",
		Try:         "Send without a key and notice there is no challenge to answer; read the body. Send the key as Authorization: Bearer by mistake, then as X-API-Key.",
		Checks:      "X-API-Key: practice-key, or the api_key query parameter.",
		Goal:        Goal{Status: 200, Finding: "no-challenge"},
		Steps: []string{
			"Send GET /apikey: 401 without WWW-Authenticate (no-challenge); the body says where the key goes.",
			"Put the key in the wrong place (Authorization: Bearer practice-key): still 401.",
			"Pick API key, name X-API-Key, value practice-key, in header.",
			"Retry: 200.",
		},
	}, {
		ID: "registry", Title: "Registry tokens: a challenge that points to a token service",
		Teaches: "A container registry answers Bearer realm=<token URL>, service, scope: the client fetches a token there first, then retries with it.",
		Method:  "GET", Path: "/registry/v2/",
		Credentials: "Registry token: anonymous pull (no user needed)",
		Try:         "Read the realm, service and scope, pick Registry token and let keyhole fetch the token (a separate attempt in the timeline) and retry. Then forget it (ctrl+x), send again and pick Bearer token with a made-up token to see it refused.",
		Checks:      "A token issued by /registry/token for scope repository:demo:pull.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /registry/v2/: 401, Bearer realm=\"<server>/registry/token\", service=\"practice-registry\", scope=\"repository:demo:pull\".",
			"Pick Registry token with no user: keyhole GETs the realm with service and scope (a token attempt).",
			"Retry with the token: 200.",
			"Retry with a made-up Bearer token: 401 (token-invalid).",
		},
	}, {
		ID: "jwt", Title: "JWT access tokens from an OAuth server",
		Teaches: "An OAuth 2.0 token endpoint issues a JWT you can decode (not verify) to see its scope, audience and expiry; the 401 can point at RFC 9728 metadata that says where to get one.",
		Method:  "GET", Path: "/jwt",
		Credentials: "OAuth 2.0 client credentials: " + clientCreds,
		Try:         "Read the challenge's resource_metadata; get a token with client credentials; inspect it (ctrl+t); wait for it to expire (60 s) and send again (ctrl+s): in this lesson keyhole sends the expired token once instead of renewing it first.",
		Checks:      "A JWT signed by this server, not expired, for this server's audience.",
		Goal:        Goal{Status: 200, Finding: "resource-metadata"},
		Steps: []string{
			"Send GET /jwt: 401, Bearer realm=\"practice\", resource_metadata=... (resource-metadata).",
			"Pick OAuth 2.0 client credentials; keyhole posts to /oauth/token (a token attempt).",
			"Retry with the JWT: 200.",
			"Wait past exp (60 s) and send again: keyhole sends the expired token once, and the server says invalid_token, \"The access token expired\" (token-expired). Send once more: keyhole gets a new token, 200.",
		},
	}, {
		ID: "scoped", Title: "Insufficient scope: authenticated, not allowed",
		Teaches: "A valid token without the needed scope gets 403 with error=\"insufficient_scope\" and the scope required; the fix is a new token with that scope, not a new password.",
		Method:  "GET", Path: "/scoped",
		Credentials: "OAuth 2.0 client credentials: " + clientCreds + ", scope read:secrets",
		Try:         "Get a token with no scope first and read the 403; then forget it (ctrl+x), send again and type read:secrets in the OAuth form's Scope field.",
		Checks:      "A valid token whose scope includes read:secrets.",
		Goal:        Goal{Status: 200, Finding: "insufficient-scope"},
		Steps: []string{
			"Send GET /scoped: 401, Bearer challenge.",
			"Answer with a token without read:secrets: 403, error=\"insufficient_scope\", scope=\"read:secrets\" (insufficient-scope).",
			"Ask for scope read:secrets and retry: 200. keyhole does this step by itself once, as an automatic retry marked in the timeline.",
		},
	}, {
		ID: "skew", Title: "Clock skew",
		Teaches: "Tokens carry times (iat, nbf, exp); when two clocks disagree, a fresh token looks not-yet-valid or expired. /skew's clock runs 5 minutes behind the token server's, and its Date header shows it.",
		Method:  "GET", Path: "/skew",
		Credentials: "OAuth 2.0 client credentials: " + clientCreds,
		Try:         "Pick OAuth 2.0 client credentials and send; keyhole reads the resource from the metadata and asks for the token with resource=<server>/skew. Compare the token's nbf and iat (ctrl+t) with the response's Date header and with your own clock.",
		Checks:      "The token's time claims against a clock 5 minutes slow; a token asked for with resource <server>/skew is minted by /skew's own clock.",
		Goal:        Goal{Status: 200, Finding: "clock-skew"},
		Steps: []string{
			"Send GET /skew: 401, Bearer challenge with resource_metadata.",
			"Pick OAuth 2.0 client credentials: keyhole posts to /oauth/token with resource=<server>/skew, the resource the metadata names (RFC 8707), so /skew's own clock mints it.",
			"Compare the token's nbf with the response's Date: 5 minutes apart (clock-skew). A token minted by the other clock would look not yet valid; a real fix is NTP on the server, or leeway.",
			"Retry with it: 200.",
		},
	}, {
		ID: "wrong-resource", Title: "Metadata about another resource",
		Teaches: "RFC 9728 metadata must name the resource it describes; metadata that names another one may come from an impostor steering you to its authorization server, and a client must discard it. /wrong-resource's metadata names <server>/somewhere-else on purpose.",
		Method:  "GET", Path: "/wrong-resource",
		Credentials: "OAuth 2.0 client credentials: client " + ClientID + " / " + ClientSecret + ", no token URL (let discovery find it)",
		Try:         "Send, read the challenge's resource_metadata, then answer with client credentials and no token URL: see keyhole fetch the metadata and refuse it, asking for no token.",
		Checks:      "Nothing: no client should get a token through this metadata.",
		Goal:        Goal{Finding: "resource-mismatch"},
		Steps: []string{
			"Send GET /wrong-resource: 401, Bearer challenge whose resource_metadata points to /.well-known/oauth-protected-resource/wrong-resource (resource-metadata).",
			"Pick OAuth 2.0 client credentials without a token URL: keyhole fetches the metadata (a discovery attempt).",
			"The metadata says resource <server>/somewhere-else, not <server>/wrong-resource: keyhole refuses it and sends no token request (resource-mismatch).",
			"Compare with /jwt, whose metadata names /jwt itself: the same steps end in 200.",
		},
	}, {
		ID: "dpop", Title: "DPoP: tokens bound to a key, and server nonces",
		Teaches: "A DPoP token is only good with a proof signed by the client's key; the server may demand a nonce first (use_dpop_nonce), which the client retries once with.",
		Method:  "GET", Path: "/dpop",
		Credentials: "OAuth 2.0 client credentials with DPoP: " + clientCreds,
		Try:         "Pick OAuth 2.0 client credentials: the DPoP challenge makes keyhole bind the token to a key and send a proof; watch the nonce round trip (a 401 use_dpop_nonce, then the retry with it).",
		Checks:      "Authorization: DPoP <token> and a DPoP proof for this method and URL, with the server's nonce.",
		Goal:        Goal{Status: 200, Finding: "dpop-nonce-required"},
		Steps: []string{
			"Send GET /dpop: 401, DPoP algs=\"ES256\".",
			"Answer with a DPoP-bound token and a proof: 401, error=\"use_dpop_nonce\" and a DPoP-Nonce header (dpop-nonce-required).",
			"Retry with the nonce in the proof: 200 (keyhole retries once by itself, marked automatic in the timeline).",
		},
	}, {
		ID: "multi", Title: "Several challenges in one header",
		Teaches: "One WWW-Authenticate field can hold several challenges separated by commas, and so can several fields; a client must parse them all and choose one it supports.",
		Method:  "GET", Path: "/multi",
		Credentials: "Basic or Digest: alice / wonderland",
		Try:         "Compare /multi (one field) with /multi/split (three fields): the same three challenges. Newauth is unknown on purpose; answer it by picking it and see why it cannot work.",
		Checks:      "Basic or Digest credentials for alice.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /multi: 401 with Newauth, Digest and Basic in one field.",
			"Read them: three challenges, not one with odd parameters; Newauth is not a scheme keyhole knows.",
			"Send GET /multi/split: the same challenges, one field each.",
			"Pick Basic (or Digest) and enter alice / wonderland; retry: 200.",
		},
	}, {
		ID: "no-challenge", Title: "A 401 with no challenge",
		Teaches: "RFC 9110 requires WWW-Authenticate on every 401; some servers leave it out, and the client has to guess (API key? cookie? Basic?).",
		Method:  "GET", Path: "/no-challenge",
		Credentials: "Basic: alice / wonderland (a guess the server never asked for)",
		Try:         "Send and notice there is nothing to answer; guess Basic.",
		Checks:      "Basic alice / wonderland, though it never says so.",
		Goal:        Goal{Status: 200, Finding: "no-challenge"},
		Steps: []string{
			"Send GET /no-challenge: 401 and no WWW-Authenticate (no-challenge).",
			"Read the body: it does not help either.",
			"Guess: pick Basic and enter alice / wonderland; retry: 200.",
		},
	}, {
		ID: "forbidden", Title: "403: who you are is fine, what you want is not",
		Teaches: "403 means the server knows who you are and refuses anyway; resending the same credentials cannot help. Here only a user with the admin role may enter.",
		Method:  "GET", Path: "/forbidden",
		Credentials: "Basic: bob / builder (alice / wonderland lacks the admin role)",
		Try:         "Log in as alice first and read the 403; then forget alice (ctrl+x), send again and answer as bob.",
		Checks:      "Valid Basic credentials of a user with the admin role.",
		Goal:        Goal{Status: 200, Finding: "forbidden"},
		Steps: []string{
			"Send GET /forbidden: 401, Basic challenge.",
			"Answer as alice / wonderland: 403, the body says role admin is needed (forbidden); no challenge to answer.",
			"Switch user: ctrl+x forgets alice, enter on the URL brings the 401 back; answer as bob / builder: 200.",
		},
	}, {
		ID: "proxy", Title: "407: the proxy wants credentials",
		Teaches: "A 407 with Proxy-Authenticate comes from a proxy between you and the server; the answer goes in Proxy-Authorization, which the proxy consumes, not in Authorization.",
		Method:  "GET", Path: "/proxy",
		Credentials: "Proxy Basic: alice / wonderland",
		Try:         "Answer the 407 with ordinary Authorization by mistake; then with proxy credentials. With keyhole practice --proxy-addr, go through the real forward proxy too, over plain http: through an https tunnel (CONNECT) the proxy cannot show /proxy that it let you in.",
		Checks:      "Proxy-Authorization: Basic alice:wonderland, or a request forwarded by the practice proxy.",
		Goal:        Goal{Status: 200, Finding: "proxy-auth-required"},
		Steps: []string{
			"Send GET /proxy: 407, Proxy-Authenticate: Basic realm=\"practice-proxy\" (proxy-auth-required).",
			"Answer with Authorization instead of Proxy-Authorization: 407 again.",
			"Enter proxy credentials alice / wonderland; retry: 200.",
		},
	}, {
		ID: "redirect", Title: "Credentials dropped on a redirect",
		Teaches: "A careful client does not send your credentials to another origin after a redirect; localhost and 127.0.0.1 are different origins, so the target answers 401 although you gave a password.",
		Method:  "GET", Path: "/redirect",
		Credentials: "Basic: alice / wonderland",
		Try:         "Send, answer the 401 with Basic: see the 302 hop, the Authorization dropped, and the target's 401. Then trust the redirect (the picker's → Trust row, or f7) and retry.",
		Checks:      "The target, on the other origin, wants Basic alice / wonderland.",
		Goal:        Goal{Status: 200, Finding: "auth-dropped-on-redirect"},
		Steps: []string{
			"Send GET /redirect with Basic alice / wonderland: 302 to the same server under its other name.",
			"The next hop goes without Authorization: 401 from /redirect/target (auth-dropped-on-redirect).",
			"Trust the redirect (curl calls it --location-trusted) and retry: 200.",
		},
	}, {
		ID: "session", Title: "Cookie sessions and stale cookies",
		Teaches: "Web logins use a form and a cookie, not a challenge: the sign of missing credentials is a redirect to /login. A cookie the server has forgotten leads there again until you log in or clear it.",
		Method:  "GET", Path: "/session",
		Credentials: "Form login at /login: user alice, password wonderland",
		Try:         "GET /session and follow to /login; POST the form (shift+tab to the method, → for POST, URL /login, header Content-Type: application/x-www-form-urlencoded, body user=alice&password=wonderland, ctrl+s); GET /session again. Then GET /logout?server-only=1 (or wait 60 s) and see the stale cookie sent back to the login page.",
		Checks:      "The practice_session cookie of a login the server still remembers (60 s).",
		Goal:        Goal{Status: 200, Finding: "login-redirect"},
		Steps: []string{
			"Send GET /session: 302 to /login, no 401 and no challenge (login-redirect).",
			"POST /login with user=alice and password=wonderland: 302 back, Set-Cookie: practice_session.",
			"Send GET /session with the cookie: 200.",
			"GET /logout?server-only=1, or wait 60 s: the cookie is still sent but the server forgot it: 302 to /login.",
			"Clear cookies or log in again: 200.",
		},
	}, {
		ID: "hostile", Title: "A hostile server and your terminal",
		Teaches: "Realms, headers and bodies come from the server and may hold escape sequences that clear the screen, set the clipboard or hide text; keyhole shows them escaped.",
		Method:  "GET", Path: "/hostile",
		Credentials: "Basic: alice / wonderland",
		Try:         "Look at the realm, X-Note and the body in keyhole: \\x1b and \\u009b where a raw terminal would act. Compare with curl -si, which prints them as they are (in a terminal you do not mind resetting).",
		Checks:      "Basic alice / wonderland.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /hostile: 401 whose realm holds a clear-screen sequence and X-Note a clipboard write.",
			"Read them escaped; the body's last line hides \"access denied\" behind a carriage return.",
			"Answer Basic alice / wonderland: 200.",
		},
	}, {
		ID: "slow", Title: "A slow server: cancel and retry",
		Teaches: "A request can hang; cancelling it must stop it on both sides. /slow waits ?ms= milliseconds (default 5000, at most 30000) before answering like /basic.",
		Method:  "GET", Path: "/slow",
		Credentials: "Basic: alice / wonderland",
		Try:         "Send /slow?ms=30000 and cancel it (esc); then send /slow?ms=500 and answer the challenge.",
		Checks:      "Basic alice / wonderland, after the delay.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /slow?ms=30000 and cancel: the attempt is marked cancelled.",
			"Send GET /slow?ms=500: 401 after half a second, Basic challenge.",
			"Answer alice / wonderland: 200.",
		},
	}, {
		ID: "ntlm", Title: "NTLM: three messages on one connection",
		Teaches: "Windows servers (IIS, SharePoint, Exchange) answer WWW-Authenticate: NTLM. The client sends a type 1 (negotiate), the server a type 2 with a random challenge, the client a type 3 proving the password with NTLMv2, never sending it. The server remembers the challenge per TCP connection, so all three must use one kept-alive HTTP/1.1 connection.",
		Method:  "GET", Path: NTLMPath,
		Credentials: `NTLM: PRACTICE\alice / wonderland (or alice@practice.test)`,
		Try:         "Send with no credentials and read the bare NTLM challenge; answer with NTLM and watch the type 2 taken apart (target, server clock, flags); then try a wrong password: the server says only no. curl --ntlm -u 'PRACTICE\\alice:wonderland' does the same exchange.",
		Checks:      "The type 3's NTLMv2 proof, recomputed from alice's password and the challenge sent on the same connection.",
		Goal:        Goal{Status: 200, Finding: "ntlm-challenge"},
		Steps: []string{
			"Send GET /ntlm with no credentials: 401, WWW-Authenticate: NTLM, with no token.",
			"Answer with NTLM: the type 1 goes out; 401 again, now with the type 2 (ntlm-challenge).",
			"keyhole answers the type 2 with a type 3 on the same connection: 200.",
			"Try a wrong password: the type 3 is refused with a bare NTLM challenge (credentials-rejected).",
		},
	}, {
		ID: "proxy-digest", Title: "407 with Digest: the proxy wants a hash",
		Teaches: "Proxies (Squid, corporate gateways) may ask for Digest instead of Basic: the answer is a hash of the password with the proxy's nonce, sent in Proxy-Authorization, and a stale=true nonce is recomputed without asking again.",
		Method:  "GET", Path: ProxyDigestPath,
		Credentials: "Proxy Digest: alice / wonderland",
		Try:         "Answer the 407 with Basic proxy credentials by mistake, then with Digest. With keyhole practice --proxy-addr, go through the practice proxy with -x and -U: it asks for Digest for this path. curl --proxy-digest -U alice:wonderland does the same.",
		Checks:      "Proxy-Authorization: Digest for alice in realm practice-proxy, or a request forwarded by the practice proxy.",
		Goal:        Goal{Status: 200, Finding: "proxy-auth-required"},
		Steps: []string{
			"Send GET /proxy/digest: 407, Proxy-Authenticate: Digest realm=\"practice-proxy\" (proxy-auth-required).",
			"Read the challenge: SHA-256 or MD5, qop auth, a fresh nonce.",
			"Answer with proxy Digest alice / wonderland: 200.",
		},
	}, {
		ID: "audience", Title: "A resource that checks the token's audience",
		Teaches: "An API that checks aud refuses a token asked for no resource in particular. RFC 8707: the client names the resource (resource=) in the token request, and the authorization server puts it in aud. The resource to name comes from the API's own metadata (RFC 9728).",
		Method:  "GET", Path: "/aud",
		Credentials: "OAuth 2.0 client credentials: " + clientCreds,
		Try:         "Send, then answer with client credentials: keyhole reads /aud's metadata and asks for resource=<server>/aud. Then type <server>/jwt in the form's Resource field (below Scope; keyhole send --resource does the same) and see the token refused as for another audience.",
		Checks:      "The token's aud must be <server>/aud.",
		Goal:        Goal{Status: 200, Finding: "resource-metadata"},
		Steps: []string{
			"Send GET /aud: 401, Bearer challenge with resource_metadata (resource-metadata).",
			"Answer with client credentials: keyhole fetches the metadata (resource <server>/aud) and sends resource=<server>/aud in the token request.",
			"The token's aud is <server>/aud: 200. (A token for another resource gets 401 \"for another audience\", and keyhole's retry says so, not \"token expired\".)",
		},
	}, {
		ID: "tenant", Title: "An issuer with a path (a tenant)",
		Teaches: "Keycloak realms, Entra and Okta tenants have issuers with a path (<server>/tenant). Their metadata is at /.well-known/oauth-authorization-server/tenant (RFC 8414 §3.1, inserted before the path), or at /tenant/.well-known/openid-configuration (OpenID Connect Discovery, appended); not at the host's root.",
		Method:  "GET", Path: TenantPath + "/api",
		Credentials: "OAuth 2.0 client credentials: client " + ClientID + " / " + ClientSecret + ", no token URL (discovery finds /tenant/token)",
		Try:         "Answer with client credentials and no token URL: follow the discovery attempts from the resource's metadata to the tenant's. Then give only the token URL <server>/tenant/token with the device grant and see keyhole find the device endpoint under the tenant.",
		Checks:      "A token from the tenant's token endpoint, for resource <server>/tenant/api.",
		Goal:        Goal{Status: 200, Finding: "resource-metadata"},
		Steps: []string{
			"Send GET /tenant/api: 401, Bearer challenge with resource_metadata (resource-metadata).",
			"The metadata names the authorization server <server>/tenant: keyhole fetches /.well-known/oauth-authorization-server/tenant.",
			"Its token endpoint is <server>/tenant/token: the token request goes there, with resource=<server>/tenant/api.",
			"Retry with the token: 200.",
		},
	}, {
		ID: "client-auth", Title: "invalid_client: the wrong way to send the client secret",
		Teaches: "A token endpoint accepts the client's secret in Basic (client_secret_basic) or in the form (client_secret_post), and a client registered for one may be refused the other with invalid_client, as if the secret were wrong. The server's metadata lists the methods it takes (token_endpoint_auth_methods_supported).",
		Method:  "GET", Path: "/client-auth",
		Credentials: "OAuth 2.0 client credentials: client " + PostClientID + " / " + PostClientSecret + ", token URL /oauth/token",
		Try:         "Answer with the post-client's credentials: keyhole sends them in Basic first, is told invalid_client, reads the metadata and retries with client_secret_post. Then force Basic (--client-auth basic) and read the explanation.",
		Checks:      PostClientID + "'s id and secret in the token request's form, never in Basic.",
		Goal:        Goal{Status: 200, Finding: "token-request-failed"},
		Steps: []string{
			"Send GET /client-auth: 401, Bearer challenge.",
			"Answer with client credentials: the token request with Basic gets 401 invalid_client (token-request-failed).",
			"keyhole reads the server's metadata: it lists client_secret_basic and client_secret_post, and retries with the form.",
			"The token request with the secret in the form succeeds; retry with the token: 200.",
		},
	}, {
		ID: "par", Title: "PAR: a client that must push its authorization requests",
		Teaches: "Pushed authorization requests (RFC 9126): the client POSTs the authorization request to the server's PAR endpoint, authenticated as at the token endpoint, and gets a request_uri; the browser then carries only client_id and request_uri, so nothing in the URL can be read or changed on the way. A server can require it of a client (require_pushed_authorization_requests) and then refuses the plain request on the redirect with error=invalid_request.",
		Method:  "GET", Path: ParPath,
		Credentials: "OAuth 2.0 authorization code: client " + ParClientID + " / " + ParClientSecret + ", token URL /oauth/token; first also Auth URL /oauth/authorize",
		Try:         "Pick OAuth 2.0, ctrl+g to the authorization code grant, type the token URL, " + ParClientID + " / " + ParClientSecret + " and, below Scope (tab), the Auth URL <server>/oauth/authorize; open the URL keyhole shows: the redirect comes back with error=invalid_request. Then answer again with the Auth URL emptied: keyhole reads the metadata, pushes the request to /oauth/par, and the URL to open holds only client_id and request_uri.",
		Checks:      ParClientID + "'s authorization request must come as a request_uri it pushed; then the code, PKCE and the token as for any client.",
		Goal:        Goal{Status: 200},
		Steps: []string{
			"Send GET /par: 401, Bearer realm=\"practice\", with no resource_metadata: the endpoints are yours to give, or discovery's to find.",
			"Answer with the authorization code grant, " + ParClientID + " / " + ParClientSecret + ", the token URL and the Auth URL: the browser goes straight to /oauth/authorize, which redirects back with error=invalid_request (this client must push); keyhole explains the authorization step's error.",
			"Answer again with the Auth URL empty: keyhole reads the server's metadata (pushed_authorization_request_endpoint) and POSTs the request to /oauth/par with the client's Basic credentials: 201 and a request_uri.",
			"Approve in the browser, opened with only client_id and request_uri: the code comes back, the token request gets a token, the retry gets 200.",
		},
	}, {
		ID: "mcp-register", Title: "MCP-style: a bare 401, and a client that registers itself",
		Teaches: "An MCP server answers 401 with WWW-Authenticate: Bearer resource_metadata=... and nothing else. The client follows it: the resource's metadata (RFC 9728) names the authorization server, whose metadata (RFC 8414) offers a registration_endpoint; with no client id the client registers itself (RFC 7591), then signs the user in with the authorization code and PKCE, naming the resource (RFC 8707), which checks the token's aud.",
		Method:  "GET", Path: MCPRegisterPath,
		Credentials: "OAuth 2.0 with every field empty: no client id, so keyhole registers itself",
		Try:         "Send and read the challenge: only resource_metadata. Pick OAuth 2.0, leave every field empty and send (enter down to Scope; keyhole send --auth oauth2): keyhole switches to the authorization code grant, since the client it registers has no secret. Follow the discovery attempts, the registration (POST /oauth/register: 201 and a client_id), the pushed request; then open the URL keyhole shows and approve. Register no (--register=false) forbids registering; Register yes registers even with a client id.",
		Checks:      "A token asked for resource <server>" + MCPRegisterPath + " by a client registered here.",
		Goal:        Goal{Status: 200, Finding: "resource-metadata"},
		Steps: []string{
			"Send GET " + MCPRegisterPath + ": 401, WWW-Authenticate: Bearer resource_metadata=\"<server>/.well-known/oauth-protected-resource" + MCPRegisterPath + "\" and nothing else (resource-metadata).",
			"Answer with OAuth 2.0 and no client id: keyhole fetches the resource's metadata, then the authorization server's (registration_endpoint, client_id_metadata_document_supported).",
			"With no client id, keyhole registers by itself, as an MCP client does: POST /oauth/register with its metadata (a public client, no secret sent, redirect http://127.0.0.1/callback): 201 and a client_id. A public client has no credentials of its own, so it signs a user in (authorization code + PKCE).",
			"Approve in the browser: the token request names resource=<server>" + MCPRegisterPath + ", and the retry with the token gets 200.",
		},
	}, {
		ID: "mcp-cimd", Title: "MCP-style: a client ID that is a URL (metadata document)",
		Teaches: "Instead of registering, a client can use the URL of a JSON document it publishes as its client_id (OAuth Client ID Metadata Document). A server whose metadata says client_id_metadata_document_supported fetches it, checks that its client_id is that very URL and that the redirect URI is listed, and treats the client as public (PKCE, no secret). Real servers take only https URLs; the practice server takes loopback http ones, and fetches nothing that is not loopback.",
		Method:  "GET", Path: MCPDocumentPath,
		Credentials: "OAuth 2.0 authorization code, Client ID <server>" + ClientDocumentPath + " (first <server>" + ImpostorDocumentPath + "), token URL empty",
		Try:         "Pick OAuth 2.0, ctrl+g to the authorization code grant, type Client ID <server>" + ImpostorDocumentPath + " and press enter: keyhole reads the document where the server will, finds it claims another client_id, and stops (the server refuses it too: push it to /oauth/par with curl and read invalid_client). Then answer with <server>" + ClientDocumentPath + ", open the URL keyhole shows and approve. keyhole send <server>" + MCPDocumentPath + " --serve-client-metadata does the same with keyhole's own document, served on 127.0.0.1 while it runs.",
		Checks:      "The document at the client_id URL names that URL as its client_id and lists the redirect URI; the token is asked for resource <server>" + MCPDocumentPath + ".",
		Goal:        Goal{Status: 200, Finding: "resource-metadata"},
		Steps: []string{
			"Send GET " + MCPDocumentPath + ": 401, Bearer resource_metadata=... and nothing else (resource-metadata).",
			"Answer with Client ID <server>" + ImpostorDocumentPath + ": keyhole reads the document first (a discovery attempt) and its client_id is https://keyhole.example/client.json, not its own URL, so keyhole stops; the server would answer invalid_client, or anyone could claim to be another client.",
			"Answer with Client ID <server>" + ClientDocumentPath + ": it names its own URL and lists http://127.0.0.1/callback (any port on loopback): the pushed request gets 201.",
			"Approve in the browser: the token request (client_id the URL, no secret, PKCE, resource=<server>" + MCPDocumentPath + ") gets a token, and the retry gets 200.",
		},
	}, {
		ID: "negotiate", Title: "Negotiate: Kerberos tickets, and NTLM inside",
		Teaches: "WWW-Authenticate: Negotiate asks for a Kerberos ticket (RFC 4559). A ticket is a message from your realm's KDC, encrypted for one service (HTTP/host), that says who you are and until when: kinit user@REALM gets the ticket-granting ticket, the client asks the KDC for HTTP/host's ticket with it, and your password never reaches the web server. Windows servers also take NTLM inside Negotiate when there is no ticket.",
		Method:  "GET", Path: NegotiatePath,
		Credentials: `No KDC here: NTLM inside Negotiate, PRACTICE\alice / wonderland`,
		Try:         "Send with no credentials and read why there is no ticket (kinit user@REALM); then answer with a user and password: keyhole falls back to NTLM inside Negotiate. Against a real realm: kinit user@REALM, klist, then keyhole send URL (curl --negotiate -u : URL), and paste the server's Negotiate value into keyhole explain.",
		Checks:      "An NTLMv2 type 3 inside Negotiate (or plain NTLM) for PRACTICE\\alice; a Kerberos ticket is refused, since there is no KDC to trust.",
		Goal:        Goal{Status: 200, Finding: negotiateRead},
		Steps: []string{
			"Send GET /negotiate with no credentials: 401, WWW-Authenticate: Negotiate and NTLM.",
			"Read negotiate-no-ticket: no Kerberos ticket was sent; kinit user@REALM would get one from a real KDC (if you hold one already, negotiate-ticket names it: keyhole answers with it).",
			"Answer with PRACTICE\\alice / wonderland: keyhole sends NTLM inside Negotiate, the type 2 comes back inside Negotiate, the type 3 gets 200.",
		},
	}}
}
