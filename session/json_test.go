package session

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Secrets used by secretServer; none may appear in a redacted record.
const (
	tUser         = "alice"
	tPassword     = "pw-Wonder-7781"
	tBearer       = "bearer-9f8e7d6c5b4a-token"
	tClientSecret = "client-secret-55aa"
	tAccess       = "access-3141592653"
	tRefresh      = "refresh-2718281828"
	tIDToken      = "idtoken-1618033988"
	tCookie       = "cookie-value-4242"
	tAPIKey       = "apikey-0xdeadbeef"
)

func secrets() []string {
	return []string{tPassword, tBearer, tClientSecret, tAccess, tRefresh, tIDToken, tCookie, tAPIKey,
		base64.StdEncoding.EncodeToString([]byte(tUser + ":" + tPassword))}
}

// secretServer is a small protected API with a token endpoint, answering the
// way real servers do.
func secretServer(t testing.TB) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/basic", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == tUser && p == tPassword {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: tCookie})
			io.WriteString(w, "hello alice")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="test", charset="UTF-8"`)
		w.WriteHeader(401)
	})
	mux.HandleFunc("/bearer", func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "Bearer " + tBearer, "Bearer " + tAccess:
			io.WriteString(w, `{"ok":true}`)
			return
		case "":
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", scope="read"`)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token", error_description="unknown token"`)
		}
		w.WriteHeader(401)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("client_secret") != tClientSecret {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"`+tAccess+`","token_type":"Bearer","expires_in":3600,`+
			`"refresh_token":"`+tRefresh+`","id_token":"`+tIDToken+`","scope":"read"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// realSession sends, for real, a Basic exchange (401 then 200), a Bearer
// exchange, an OAuth token request with its answer and a request with the
// access token and an API key in the query.
func realSession(t testing.TB) (*Session, []*Attempt) {
	srv := secretServer(t)
	ctx := context.Background()
	c := httpclient.New(httpclient.Options{})
	s := New(c, httpclient.Request{Method: "GET", URL: srv.URL + "/basic"})
	send := func(auth credentials.Authorizer) {
		if _, err := s.Send(ctx, auth); err != nil {
			t.Fatal(err)
		}
	}
	send(nil)
	send(credentials.Basic{User: tUser, Password: tPassword})
	s.SetDraft(httpclient.Request{Method: "GET", URL: srv.URL + "/bearer"})
	send(nil)
	send(credentials.Bearer{Token: tBearer})

	var tokenEx *httpclient.Exchange
	hc := c.Recorder(func(_ string, ex *httpclient.Exchange) { tokenEx = ex })
	resp, err := hc.PostForm(srv.URL+"/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"keyhole"}, "client_secret": {tClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	token := &Attempt{N: 5, Purpose: PurposeToken, Auto: "fetching a token", Exchange: tokenEx}

	s.SetDraft(httpclient.Request{Method: "GET", URL: srv.URL + "/bearer?api_key=" + tAPIKey})
	send(credentials.Bearer{Token: tAccess})
	var all []*Attempt
	for _, a := range s.Attempts() {
		c := *a
		all = append(all, &c)
	}
	all = append(all[:4], append([]*Attempt{token}, all[4:]...)...)
	for i, a := range all {
		a.N = i + 1
	}
	if got := all[len(all)-1].Status(); got != 200 {
		t.Fatalf("last attempt got %d, want 200", got)
	}
	return s, all
}

func TestRecordsHideEverySecret(t *testing.T) {
	_, attempts := realSession(t)
	data, err := json.Marshal(Records(attempts, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range secrets() {
		if strings.Contains(string(data), sec) {
			t.Errorf("redacted JSON contains the secret %q", sec)
		}
	}
	// The same record with secrets shown must contain them: proves the
	// secrets really were on the wire and the check above can fail.
	shown, _ := json.Marshal(Records(attempts, true))
	for _, sec := range secrets()[1:] { // the password travels only inside the Basic base64
		if !strings.Contains(string(shown), sec) {
			t.Errorf("JSON with showSecrets lacks %q", sec)
		}
	}
	// Fingerprints stay, so two attempts can still be compared.
	if !strings.Contains(string(data), credentials.Fingerprint(tBearer)) {
		t.Error("redacted JSON lost the Bearer token's fingerprint")
	}
}

func TestRecordsShape(t *testing.T) {
	_, attempts := realSession(t)
	data, _ := json.Marshal(Records(attempts, false))
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	final := doc["final"].(map[string]any)
	if final["status"] != 200.0 || final["attempt"] != 6.0 {
		t.Errorf("final = %v, want status 200 attempt 6", final)
	}
	list := doc["attempts"].([]any)
	if len(list) != 6 {
		t.Fatalf("%d attempts, want 6", len(list))
	}
	for i, x := range list {
		a := x.(map[string]any)
		for _, k := range []string{"n", "purpose", "request", "response", "error", "redirects", "challenges", "findings", "timing_ms"} {
			if _, ok := a[k]; !ok {
				t.Errorf("attempt %d lacks %q", i+1, k)
			}
		}
		req := a["request"].(map[string]any)
		for _, k := range []string{"method", "url", "headers"} {
			if _, ok := req[k]; !ok {
				t.Errorf("attempt %d request lacks %q", i+1, k)
			}
		}
		resp := a["response"].(map[string]any)
		for _, k := range []string{"status", "proto", "headers", "body_bytes", "body"} {
			if _, ok := resp[k]; !ok {
				t.Errorf("attempt %d response lacks %q", i+1, k)
			}
		}
		for _, k := range []string{"dns", "connect", "tls", "first_byte", "total"} {
			if _, ok := a["timing_ms"].(map[string]any)[k]; !ok {
				t.Errorf("attempt %d timing lacks %q", i+1, k)
			}
		}
		if a["error"] != nil {
			t.Errorf("attempt %d error = %v, want null", i+1, a["error"])
		}
	}
	if p := list[4].(map[string]any)["purpose"]; p != "token" {
		t.Errorf("attempt 5 purpose = %v, want token", p)
	}
	ch := list[0].(map[string]any)["challenges"].([]any)[0].(map[string]any)
	if ch["header"] != "WWW-Authenticate" || ch["scheme"] != "Basic" || ch["params"].(map[string]any)["realm"] != "test" {
		t.Errorf("challenge = %v", ch)
	}
	if !strings.Contains(string(data), `"params":{"realm":"test","charset":"UTF-8"}`) {
		t.Errorf("params lost the server's order: %s", data)
	}
}

func TestRecordsTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close() // nothing listens there now: connection refused
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: u})
	s.Send(context.Background(), nil)
	d := Records(s.Attempts(), false)
	data, _ := json.Marshal(d)
	if d.Final.Status != nil || d.Final.Attempt != 1 {
		t.Errorf("final = %+v", d.Final)
	}
	if !strings.Contains(string(data), `"final":{"status":null,"attempt":1}`) || !strings.Contains(string(data), `"response":null`) {
		t.Errorf("JSON = %s", data)
	}
	if d.Attempts[0].Error == nil {
		t.Error("error is null for a refused connection")
	}

	// Go's transport errors quote the URL, query included: mask it there too.
	s = New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: u + "/?api_key=" + tAPIKey})
	s.Send(context.Background(), nil)
	d = Records(s.Attempts(), false)
	if e := d.Attempts[0].Error; e == nil || strings.Contains(*e, tAPIKey) {
		t.Errorf("error = %v, want no api_key in it", *e)
	}
	msg := `Get "http://127.0.0.1:1/x?api_key=` + tAPIKey + `&q=1": EOF`
	if got := redactURLsIn(msg); strings.Contains(got, tAPIKey) || !strings.Contains(got, "q=1") || !strings.HasSuffix(got, `": EOF`) {
		t.Errorf("redactURLsIn(%q) = %q", msg, got)
	}
}

func TestRedactBody(t *testing.T) {
	cases := []struct{ ct, in, want string }{
		{"application/json", `{"access_token":"abc","n":1}`, `{"access_token":"•••","n":1}`},
		{"application/json; charset=utf-8", `{ "a": {"Refresh_Token" : "x y"}, "b":[{"code":123},"code"] }`, `{ "a": {"Refresh_Token" : "•••"}, "b":[{"code":123},"code"] }`},
		{"", `{"id_token":{"nested":"x"},"password":null}`, `{"id_token":"•••","password":null}`},
		{"application/json", `{"token":null,"refresh_token":"","access_token":"at-1"}`, `{"token":null,"refresh_token":"","access_token":"•••"}`},
		{"application/x-www-form-urlencoded", `grant_type=password&username=bob&password=hunter2&client_secret=s%20x`, `grant_type=password&username=bob&password=•••&client_secret=•••`},
		{"text/plain", `access_token=gho_abc&scope=repo`, `access_token=•••&scope=repo`},
		{"text/html", `<p>password=1</p>`, `<p>password=1</p>`},
		{"application/json", `not json password`, `not json password`},
		{"application/json", `["access_token","x"]`, `["access_token","x"]`},
		{"application/json", `{"\u0063ode":"c1","Code":"c2"}`, `{"\u0063ode":"c1","Code":"c2"}`},
		{"application/json", `{"grant_type":"authorization_code","\u0063ode":"c1","Code":"c2"}`, `{"grant_type":"authorization_code","\u0063ode":"•••","Code":"•••"}`},
		{"application/json", `{"\u0061ccess_token":"a","x":"\u0041"}`, `{"\u0061ccess_token":"•••","x":"\u0041"}`},
		{"application/x-www-form-urlencoded", `device_code=dc&code_verifier=v&code=c&state=s`, `device_code=•••&code_verifier=•••&code=•••&state=s`},
		{"application/x-www-form-urlencoded", `grant_type=authorization_code&code=c&redirect_uri=x`, `grant_type=authorization_code&code=•••&redirect_uri=x`},
		{"application/x-www-form-urlencoded", `code=123456&state=s`, `code=123456&state=s`},
		// A body cut by the client's limit is masked up to the cut, inside a value too.
		{"application/json", `[{"id":1},{"access_token":"abc","refresh_token":"de`, `[{"id":1},{"access_token":"•••","refresh_token":"•••"`},
		{"application/json", `{"password": {"a":[1,"]"]}, "n":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig"}`, `{"password": "•••", "n":"•••"}`},
		{"application/json", `{"jwt":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.","l":["eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",1]}`, `{"jwt":"•••","l":["•••",1]}`},
	}
	for _, c := range cases {
		if got := string(RedactBody(c.ct, []byte(c.in))); got != c.want {
			t.Errorf("RedactBody(%q, %q)\n got %q\nwant %q", c.ct, c.in, got, c.want)
		}
	}
}

func TestMaskDigest(t *testing.T) {
	v := `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, nonce="7ypf", nc=00000001, cnonce="f2/w", qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe"`
	h := redactHeaders(http.Header{"Authorization": {v}}, false)
	got := h.Get("Authorization")
	if strings.Contains(got, "753927fa") {
		t.Fatalf("Digest response not masked: %s", got)
	}
	for _, keep := range []string{`username="Mufasa"`, `nonce="7ypf"`, `nc=00000001`, `qop=auth`, `response="` + credentials.Mask("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1") + `"`} {
		if !strings.Contains(got, keep) {
			t.Errorf("masked Digest %q lacks %q", got, keep)
		}
	}
	if h := redactHeaders(http.Header{"Authorization": {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}}, false); strings.Contains(h.Get("Authorization"), "QWxh") {
		t.Error("Basic not masked")
	}
}

func TestRedactLocation(t *testing.T) {
	h := redactHeaders(http.Header{"Location": {"http://127.0.0.1:9/cb?code=auth-code-1&state=s"}}, false)
	if strings.Contains(h.Get("Location"), "auth-code-1") || !strings.Contains(h.Get("Location"), "state=s") {
		t.Errorf("Location = %q", h.Get("Location"))
	}
}

func FuzzRedactBody(f *testing.F) {
	f.Add("application/json", []byte(`{"access_token":"a","x":[{"code":1}],"y":"eyJa.b.c"}`))
	f.Add("application/x-www-form-urlencoded", []byte(`a=1&password=2&%zz=3`))
	f.Add("", []byte(`  [{"refresh_token":null}]  `))
	f.Fuzz(func(t *testing.T, ct string, b []byte) {
		orig := string(b)
		out := RedactBody(ct, b)
		if string(b) != orig {
			t.Fatal("RedactBody changed its input")
		}
		// A form body is redacted as a form even if it happens to be JSON.
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/x-www-form-urlencoded" && json.Valid(b) && !json.Valid(out) {
			t.Fatalf("valid JSON %q became invalid %q", b, out)
		}
	})
}

// tokenList is a 1 MiB JSON answer listing access tokens: the body masking
// is measured on, and its peer over the same bytes.
func tokenList() []byte {
	var sb strings.Builder
	sb.WriteString(`{"tokens":[`)
	for sb.Len() < 1<<20 {
		sb.WriteString(`{"access_token":"abcdefghijklmnopqrstuvwxyz0123456789","scope":"read write","expires_in":3600},`)
	}
	sb.WriteString(`{}]}`)
	return []byte(sb.String())
}

// BenchmarkRedactBody masks a 1 MiB JSON token-list answer.
func BenchmarkRedactBody(b *testing.B) {
	body := tokenList()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		RedactBody("application/json", body)
	}
}

// BenchmarkRedactBodyNoSecrets scans a 1 MiB JSON body that holds no secret.
func BenchmarkRedactBodyNoSecrets(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"items":[`)
	for sb.Len() < 1<<20 {
		sb.WriteString(`{"id":12345,"name":"widget","tags":["a","b"],"price":9.99},`)
	}
	sb.WriteString(`{}]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		RedactBody("application/json", body)
	}
}

// BenchmarkRecords builds the JSON record of a six-attempt session.
func BenchmarkRecords(b *testing.B) {
	_, attempts := realSession(b)
	for b.Loop() {
		if _, err := json.Marshal(Records(attempts, false)); err != nil {
			b.Fatal(err)
		}
	}
}

// rawControl finds DEL or a C1 control left raw in UTF-8 text.
func rawControl(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || size > 1 && httpclient.IsUnsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// A body from a hostile server, as keyhole send --json prints it: no raw
// DEL or C1 control reaches the terminal, and the JSON decodes to the same
// document.
func TestWriteJSONEscapesC1(t *testing.T) {
	body := "a\x7fb\u009b31mc\u0085\u0080\u009f é ✓ \u00a0 \u202egnp.exe \u200b\ufeff"
	doc := Document{Attempts: []Record{{N: 1, Purpose: PurposeRequest, Request: RequestRecord{Method: "GET", URL: "http://h/\u009b"},
		Response: &ResponseRecord{Status: 401, Body: body, Headers: http.Header{"X-\u0090": {"v\x7f"}}}}}}
	for _, indent := range []bool{false, true} {
		var out strings.Builder
		if err := WriteJSON(&out, doc, indent); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		if i := rawControl([]byte(s)); i >= 0 {
			t.Fatalf("indent %v: raw control at byte %d: %q", indent, i, s)
		}
		for _, want := range []string{`a\u007fb\u009b31mc\u0085\u0080\u009f é ✓ ` + "\u00a0", `"http://h/\u009b"`, `"X-\u0090"`} {
			if !strings.Contains(s, want) {
				t.Errorf("indent %v: %q lacks %q", indent, s, want)
			}
		}
		if indent != strings.Contains(s, "\n  ") || !strings.HasSuffix(s, "}\n") {
			t.Errorf("indent %v: layout %q", indent, s)
		}
		var back Document
		if err := json.Unmarshal([]byte(s), &back); err != nil {
			t.Fatal(err)
		}
		if back.Attempts[0].Response.Body != body || back.Attempts[0].Request.URL != doc.Attempts[0].Request.URL {
			t.Errorf("decoded %q, want %q", back.Attempts[0].Response.Body, body)
		}
	}
}

// The escaper holds back a rune cut off at the end of one Write.
func TestJSONEscaperSplitWrites(t *testing.T) {
	in := []byte(`"x` + "\u009b\u00a0\x7f\u0085\u202e—\u200b\ufeff€" + `"`)
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	e := &jsonEscaper{w: bw}
	for i := range in {
		e.Write(in[i : i+1])
	}
	bw.Flush()
	if want := `"x\u009b` + "\u00a0" + `\u007f\u0085\u202e—\u200b\ufeff€"`; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func FuzzWriteJSON(f *testing.F) {
	f.Add("plain")
	f.Add("\x7f\u009b[2J\u0085")
	f.Add("\xc2\xff\xc2")
	f.Fuzz(func(t *testing.T, s string) {
		var out bytes.Buffer
		if err := WriteJSON(&out, map[string]string{s: s}, true); err != nil {
			t.Fatal(err)
		}
		if i := rawControl(out.Bytes()); i >= 0 {
			t.Fatalf("raw control at %d in %q", i, out.Bytes())
		}
		var want, got map[string]string
		plain, _ := json.Marshal(map[string]string{s: s})
		if err := json.Unmarshal(plain, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("invalid JSON %q: %v", out.Bytes(), err)
		}
		if len(got) != 1 || len(want) != 1 {
			t.Fatalf("got %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("decoded %q, want %q", got[k], v)
			}
		}
	})
}

func BenchmarkWriteJSON(b *testing.B) {
	body := strings.Repeat("text with a \u009b now and then, ", 1<<15) // ~1 MiB, a C1 every 30 bytes
	doc := Document{Attempts: []Record{{N: 1, Response: &ResponseRecord{Status: 200, Body: body}}}}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := WriteJSON(io.Discard, doc, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSONPlain(b *testing.B) {
	body := strings.Repeat("ordinary text, é and ✓ but no control, ", 1<<15) // ~1.3 MiB
	doc := Document{Attempts: []Record{{N: 1, Response: &ResponseRecord{Status: 200, Body: body}}}}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := WriteJSON(io.Discard, doc, true); err != nil {
			b.Fatal(err)
		}
	}
}

// A saved session holding a hostile server's body can be printed with cat:
// Save writes through WriteJSON, and Load reads the body back unchanged.
func TestSaveEscapesC1(t *testing.T) {
	body := "\u009b2J\x7f\u0085bye"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	defer srv.Close()
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL})
	if _, err := s.Send(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	path, err := Save(t.TempDir(), s, "hostile")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if i := rawControl(data); i >= 0 || !strings.Contains(string(data), `\u009b2J\u007f\u0085bye`) {
		t.Fatalf("saved file has a raw control at %d or lacks the escaped body:\n%s", i, data)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(loaded.Last().Exchange.Response.Body); got != body {
		t.Errorf("loaded body %q, want %q", got, body)
	}
}

// A registry's and an API's error codes are no secret: --json and HAR show
// them as the text output does. An authorization code in a token request
// is one, and stays masked.
func TestErrorCodesAreShown(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Bearer realm="x",service="registry"`)
		w.WriteHeader(401)
		io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":{"code":"DENIED"}}]}`)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"`+tAccess+`","token_type":"Bearer"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := httpclient.New(httpclient.Options{})
	s := New(c, httpclient.Request{Method: "GET", URL: srv.URL + "/v2/"})
	if _, err := s.Send(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var tokenEx *httpclient.Exchange
	hc := c.Recorder(func(_ string, ex *httpclient.Exchange) { tokenEx = ex })
	const authCode = "authcode-77aa31"
	resp, err := hc.PostForm(srv.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {authCode}, "redirect_uri": {"http://127.0.0.1:1/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	attempts := append(s.Attempts(), &Attempt{N: 2, Purpose: PurposeToken, Exchange: tokenEx})

	var js bytes.Buffer
	if err := WriteJSON(&js, Records(attempts, false), true); err != nil {
		t.Fatal(err)
	}
	har, err := HAR(attempts, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"--json": js.String(), "HAR": string(har)} {
		for _, want := range []string{"UNAUTHORIZED", "DENIED"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks the error code %s", name, want)
			}
		}
		for _, secret := range []string{authCode, tAccess} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows the secret %s", name, secret)
			}
		}
	}
}

// Scanning a document in two pieces finds what scanning it whole finds: the
// TUI scans a body's kept bytes, then its spill file.
func FuzzSecretScannerPieces(f *testing.F) {
	f.Add([]byte(`{"access_token":"abc","l":["eyJa.b.c"],"password":{"x":"}"},"n":null}`), 17)
	f.Add([]byte(`{"\u0070assword":"p","code":"c","grant_type":"authorization_code"}`), 5)
	f.Fuzz(func(t *testing.T, b []byte, cut int) {
		if cut < 0 || cut > len(b) {
			return
		}
		var whole, pieces []Span
		s := NewSecretScanner(true)
		add := func(to *[]Span) func(int64, int64) {
			return func(a, z int64) { *to = append(*to, Span{int(a), int(z)}) }
		}
		s.Scan(b, add(&whole))
		s.Flush(add(&whole))
		s = NewSecretScanner(true)
		s.Scan(b[:cut], add(&pieces))
		s.Scan(b[cut:], add(&pieces))
		s.Flush(add(&pieces))
		if !slices.Equal(whole, pieces) {
			t.Fatalf("%q cut at %d: whole %v, in pieces %v", b, cut, whole, pieces)
		}
		for _, sp := range whole {
			if sp.Start < 0 || sp.End > len(b) || sp.Start >= sp.End {
				t.Fatalf("%q: span %v out of range", b, sp)
			}
		}
	})
}

// BenchmarkJSONValidPeer is encoding/json.Valid over BenchmarkRedactBody's
// body: the cheapest whole pass encoding/json makes, the peer masking is
// compared with in bench/run.sh.
func BenchmarkJSONValidPeer(b *testing.B) {
	body := tokenList()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		json.Valid(body)
	}
}
