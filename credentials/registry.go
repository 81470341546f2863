package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"keyhole/httpclient"
)

// RegistryToken answers a container registry's challenge (the Docker token
// authentication specification, used by OCI distribution registries):
// Bearer realm="<token URL>", service, scope. Prepare fetches a token from
// the realm, anonymously when User is empty, and Apply sends it as Bearer.
// The password goes only to a realm on the origin of the request it was
// given for (SetRequestURL) or to one the user trusts (Trusted): the realm is
// the server's choice. Elsewhere the token is asked for anonymously, and the
// exchange says what was held back (httpclient.Exchange.Withheld).
// Safe for concurrent use.
type RegistryToken struct {
	User     string // "" for anonymous access
	Password string
	// Trusted are origins the user allows the password to go to besides the
	// request's own (keyhole send --trust, a confirmation in the TUI).
	Trusted []httpclient.Origin
	Now     func() time.Time // nil means time.Now; tests move it to expire tokens

	mu      sync.Mutex
	bound   httpclient.Origin // the origin of the request the password is for
	held    httpclient.Origin // a token service the password was held back from, until TakeHeldBack
	token   string
	key     string // realm, service and scope the token was issued for
	scope   string
	expires time.Time
}

func (*RegistryToken) Scheme() string { return "Bearer" }

// SetRequestURL binds the password to raw's origin: the session calls it
// with the URL of the request being answered, before Prepare.
func (t *RegistryToken) SetRequestURL(raw string) {
	o, _ := httpclient.OriginOfURL(raw)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bound = o
}

// tokenBodyLimit bounds what is read from a token service, as x/oauth2 does.
const tokenBodyLimit = 1 << 20

func (t *RegistryToken) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func registryKey(ch *httpclient.Challenge) string {
	return ch.Param("realm") + "\n" + ch.Param("service") + "\n" + ch.Param("scope")
}

// Prepare fetches a token for ch unless the one held was issued for the same
// realm, service and scope and has not expired.
func (t *RegistryToken) Prepare(ctx context.Context, hc *http.Client, ch *httpclient.Challenge) error {
	if ch == nil || !ch.Is("Bearer") || ch.Param("realm") == "" {
		t.mu.Lock()
		have := t.token != ""
		t.mu.Unlock()
		if have {
			return nil
		}
		return errors.New("registry: there is no Bearer challenge with a realm to fetch a token from; send the request once without credentials")
	}
	key := registryKey(ch)
	t.mu.Lock()
	fresh := t.token != "" && t.key == key && t.now().Before(t.expires)
	t.mu.Unlock()
	if fresh {
		return nil
	}
	user, ctx := t.userFor(ctx, ch)
	u, err := tokenURL(ch, user)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(httpclient.WithPurpose(ctx, "token"), http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("registry: cannot build the token request: %w", err)
	}
	if user != "" {
		v, err := (Basic{User: user, Password: t.Password}).Value()
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		req.Header.Set("Authorization", v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("registry: the token request to %s failed: %w", httpclient.SafeLine(RedactURL(u.String())), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, tokenBodyLimit))
	if err != nil {
		return fmt.Errorf("registry: reading the token service's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		hint := "see its answer in the timeline"
		if resp.StatusCode == http.StatusUnauthorized {
			hint = "check the user name and password, or leave them empty for anonymous pull"
		}
		return fmt.Errorf("registry: the token service %s answered %d; %s", httpclient.SafeLine(u.Host), resp.StatusCode, hint)
	}
	var tr struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		IssuedAt    string `json:"issued_at"`
	}
	if err := json.Unmarshal(body, &tr); err != nil {
		return fmt.Errorf("registry: the token service's answer is not JSON (%v); is the realm really a token service?", err)
	}
	tok := tr.Token
	if tok == "" {
		tok = tr.AccessToken
	}
	if err := (Bearer{Token: tok}).Validate(); err != nil {
		return fmt.Errorf("registry: the token service answered without a usable token or access_token: %w", err)
	}
	// The specification's default lifetime is 60 s when expires_in is absent.
	life := 60 * time.Second
	if tr.ExpiresIn > 0 {
		life = time.Duration(tr.ExpiresIn) * time.Second
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token, t.key, t.scope, t.expires = tok, key, ch.Param("scope"), t.now().Add(life)
	return nil
}

// userFor returns the user to ask the token for: t.User when the realm may
// have the password (httpclient.MaySendSecret), else "" with a note on ctx
// saying what was held back and why.
func (t *RegistryToken) userFor(ctx context.Context, ch *httpclient.Challenge) (string, context.Context) {
	if t.User == "" {
		return "", ctx
	}
	realm, ok := httpclient.OriginOfURL(ch.Param("realm"))
	if !ok {
		return t.User, ctx // tokenURL refuses it
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	may, why := httpclient.MaySendSecret(t.bound, realm, t.Trusted)
	if may {
		return t.User, ctx
	}
	t.held = realm
	note := fmt.Sprintf("The password of %s was not sent to the registry's token service: %s. The token was asked for anonymously. If that token service is yours, trust it: keyhole send --trust %s, or confirm the host in the TUI.",
		httpclient.SafeLine(t.User), why, httpclient.SafeLine(realm.String()))
	return "", httpclient.WithWithheld(ctx, note)
}

// TakeHeldBack returns the origin of the token service the password was last
// held back from, once: a face asks the user whether to trust it.
func (t *RegistryToken) TakeHeldBack() (httpclient.Origin, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o := t.held
	t.held = httpclient.Origin{}
	return o, o.Host != ""
}

// Trust lets the password go to o from now on, and drops the token fetched
// without it, so that the next Prepare asks again with the password.
func (t *RegistryToken) Trust(o httpclient.Origin) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Trusted = append(t.Trusted, o)
	t.token, t.key, t.scope, t.expires = "", "", "", time.Time{}
}

// tokenURL is realm?service=…&scope=…(&account=user).
func tokenURL(ch *httpclient.Challenge, user string) (*url.URL, error) {
	realm := ch.Param("realm")
	u, err := url.Parse(realm)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("registry: the challenge's realm %q is not an http(s) URL of a token service", httpclient.SafeLine(realm))
	}
	q := u.Query()
	if s := ch.Param("service"); s != "" {
		q.Set("service", s)
	}
	// Scopes are space-separated; commas belong to a scope ("pull,push").
	for _, s := range strings.Fields(ch.Param("scope")) {
		q.Add("scope", s)
	}
	if user != "" {
		q.Set("account", user)
	}
	u.RawQuery = q.Encode()
	return u, nil
}

// Apply sends the token fetched by Prepare.
func (t *RegistryToken) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	t.mu.Lock()
	tok := t.token
	t.mu.Unlock()
	if tok == "" {
		return errors.New("registry: no token yet; it is fetched from the challenge's realm before the request is sent")
	}
	r.Header.Set(HeaderFor(ch), "Bearer "+tok)
	return nil
}

// Rejected asks for a new token when the registry wants another scope (or
// realm or service) than the token was issued for, or when it expired.
func (t *RegistryToken) Rejected(ch *httpclient.Challenge) string {
	if ch == nil || !ch.Is("Bearer") || ch.Param("realm") == "" {
		return ""
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.token == "":
		return ""
	case registryKey(ch) != t.key:
		if s := ch.Param("scope"); s != t.scope {
			return "registry asks for scope " + httpclient.SafeLine(s) + ": fetching a new token"
		}
		return "registry points to another token service: fetching a new token"
	case ch.Param("error") == "invalid_token" && !t.now().Before(t.expires):
		t.token = ""
		return "registry token expired: fetching a new one"
	}
	return ""
}

// Forget drops the token.
func (t *RegistryToken) Forget() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token, t.key, t.scope, t.expires = "", "", "", time.Time{}
}

func init() {
	Register(Description{
		// Offered without a flag (anonymously, or with -u) but only to a
		// registry's challenge, whose realm hands out its tokens.
		Mode: "registry", Order: 60, Title: "Registry token", Wire: "Bearer", Rank: 20, Challenged: true,
		Accepts: IsRegistryChallenge, Offered: registryOffered,
		Fields: []Field{
			{Key: "user", Label: "User", Flag: "-u", Optional: true, Hint: "empty for anonymous"},
			{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true, Hint: "optional"},
		},
		Headers: []string{"Authorization"},
		Build: func(v map[string]string) (Authorizer, error) {
			return &RegistryToken{User: v["user"], Password: v["password"]}, nil
		},
	})
}

// IsRegistryChallenge reports whether c is a container registry's Bearer
// challenge (Docker, OCI): its realm is a token service URL and it names a
// service or scope. A registry token answers only these.
func IsRegistryChallenge(c httpclient.Challenge) bool {
	realm := c.Param("realm")
	return c.Is("Bearer") && (strings.HasPrefix(realm, "https://") || strings.HasPrefix(realm, "http://")) &&
		(c.Param("service") != "" || c.Param("scope") != "")
}

// registryOffered: a registry token is asked for anonymously, or with -u,
// unless a token was given (it answers Bearer itself).
func registryOffered(v map[string]string) (string, bool) {
	if v["user"] != "" {
		return "", v["token"] == "" // from -u, as given
	}
	return "anonymous", v["token"] == ""
}
