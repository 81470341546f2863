package credentials

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"context"

	"keyhole/httpclient"
)

// The AWS SigV4 test suite's credentials and time (aws-sig-v4-test-suite).
var suite = SigV4{
	AccessKey: "AKIDEXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	Region: "us-east-1", Service: "service",
	Now: func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) },
}

func TestSigV4TestSuite(t *testing.T) {
	tests := []struct {
		name, method, url string
		want              string
	}{
		{"get-vanilla", "GET", "https://example.amazonaws.com/",
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"post-vanilla", "POST", "https://example.amazonaws.com/",
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &httpclient.Request{Method: tt.method, URL: tt.url, Header: http.Header{}}
			if err := suite.Apply(r, nil); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Authorization"); got != tt.want {
				t.Errorf("Authorization =\n%s\nwant\n%s", got, tt.want)
			}
			if got := r.Header.Get("X-Amz-Date"); got != "20150830T123600Z" {
				t.Errorf("X-Amz-Date = %s", got)
			}
		})
	}
}

// verifySigV4 is an independent check written from AWS's description of
// the algorithm (canonical request, string to sign, derived key), used as a
// server would use it. It returns "" when the signature is right.
func verifySigV4(r *http.Request, body []byte, secret string) string {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return "not SigV4: " + auth
	}
	fields := map[string]string{}
	for _, f := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(f, "=")
		fields[k] = v
	}
	scope := strings.SplitN(fields["Credential"], "/", 2)
	if len(scope) != 2 {
		return "bad Credential"
	}
	parts := strings.Split(scope[1], "/") // date/region/service/aws4_request
	if len(parts) != 4 {
		return "bad scope"
	}
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canon.WriteString(path + "\n")
	q := r.URL.Query()
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	enc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	canon.WriteString(strings.Join(pairs, "&") + "\n")
	signed := strings.Split(fields["SignedHeaders"], ";")
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canon.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	sum := sha256.Sum256(body)
	canon.WriteString("\n" + fields["SignedHeaders"] + "\n" + hex.EncodeToString(sum[:]))
	creq := sha256.Sum256([]byte(canon.String()))
	toSign := "AWS4-HMAC-SHA256\n" + r.Header.Get("X-Amz-Date") + "\n" + scope[1] + "\n" + hex.EncodeToString(creq[:])
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), parts[0])
	for _, p := range parts[1:] {
		k = mac(k, p)
	}
	if got := hex.EncodeToString(mac(k, toSign)); got != fields["Signature"] {
		return "signature mismatch: computed " + got + " for canonical request\n" + canon.String()
	}
	return ""
}

// The vanilla vectors pin the independent check down; then it verifies
// requests the vectors do not cover, over a real loopback connection.
func TestSigV4VerifiedByIndependentCheck(t *testing.T) {
	var secret = "s3cr3t/KEY+value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if why := verifySigV4(r, body, secret); why != "" {
			w.WriteHeader(403)
			io.WriteString(w, "<Error><Code>SignatureDoesNotMatch</Code><Message>"+why+"</Message></Error>")
			return
		}
		io.WriteString(w, "ok "+r.Header.Get("X-Amz-Security-Token"))
	}))
	defer srv.Close()

	r := &httpclient.Request{Method: "GET", URL: "https://example.amazonaws.com/", Header: http.Header{}}
	if err := suite.Apply(r, nil); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(r.Method, r.URL, nil)
	req.Header = r.Header
	if why := verifySigV4(req, nil, suite.SecretKey); why != "" {
		t.Fatalf("the independent check disagrees with get-vanilla: %s", why)
	}

	c := httpclient.New(httpclient.Options{})
	s := SigV4{AccessKey: "AKIDLOCAL", SecretKey: secret, SessionToken: "session/token=", Region: "eu-west-3", Service: "execute-api"}
	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/items?b=2&a=1&a=0&space=a%20b", ""},
		{"POST", "/items/new", `{"name":"x"}`},
		{"PUT", "/", "binary\x00body"},
	} {
		r := &httpclient.Request{Method: tt.method, URL: srv.URL + tt.path, Header: http.Header{"Content-Type": {"application/json"}, "X-Custom": {"  spaced   value "}}, Body: []byte(tt.body)}
		if err := s.Apply(r, nil); err != nil {
			t.Fatal(err)
		}
		ex := c.Do(context.Background(), r)
		if ex.Err != nil || ex.Response.Status != 200 || string(ex.Response.Body) != "ok session/token=" {
			t.Errorf("%s %s: %v %d %s", tt.method, tt.path, ex.Err, ex.Response.Status, ex.Response.Body)
		}
		// Signing again (a retry) replaces the signature rather than adding one.
		if err := s.Apply(r, nil); err != nil || len(r.Header.Values("Authorization")) != 1 {
			t.Errorf("re-signing: %v %v", err, r.Header.Values("Authorization"))
		}
	}

	// A wrong secret is caught, and the 403 is explained.
	bad := s
	bad.SecretKey = "wrong"
	r = &httpclient.Request{Method: "GET", URL: srv.URL + "/x", Header: http.Header{}}
	if err := bad.Apply(r, nil); err != nil {
		t.Fatal(err)
	}
	ex := c.Do(context.Background(), r)
	if ex.Response.Status != 403 {
		t.Fatalf("wrong secret: %d", ex.Response.Status)
	}
	if code, msg := ExplainAWSError(ex.Response.Status, ex.Response.Body); code != "SignatureDoesNotMatch" || !strings.Contains(msg, "check the secret key") {
		t.Errorf("ExplainAWSError = %q %q", code, msg)
	}
}

func TestSigV4S3PayloadHeader(t *testing.T) {
	s := suite
	s.Service = "s3"
	r := &httpclient.Request{Method: "PUT", URL: "https://bucket.s3.amazonaws.com/a%20key", Header: http.Header{}, Body: []byte("hello")}
	if err := s.Apply(r, nil); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Errorf("X-Amz-Content-Sha256 = %s, want the SHA-256 of hello", got)
	}
	if !strings.Contains(r.Header.Get("Authorization"), "x-amz-content-sha256") {
		t.Errorf("payload hash not signed: %s", r.Header.Get("Authorization"))
	}
}

func TestSigV4Validate(t *testing.T) {
	for _, tt := range []struct {
		s    SigV4
		want string
	}{
		{SigV4{SecretKey: "s", Region: "r", Service: "x"}, "access key ID is empty"},
		{SigV4{AccessKey: "a", Region: "r", Service: "x"}, "secret access key is empty"},
		{SigV4{AccessKey: "a", SecretKey: "s", Service: "x"}, "region is empty"},
		{SigV4{AccessKey: "a", SecretKey: "s", Region: "r"}, "service is empty"},
		{SigV4{AccessKey: "a\n", SecretKey: "s", Region: "r", Service: "x"}, "control characters"},
	} {
		err := tt.s.Apply(&httpclient.Request{Method: "GET", URL: "https://h/"}, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.s, err, tt.want)
		}
	}
}

func TestSigV4FromEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_SESSION_TOKEN", "TOKEN")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "eu-north-1")
	tests := []struct {
		provider, region, service string
		wantRegion, wantService   string
		wantErr                   string
	}{
		{"aws", "us-east-1", "s3", "us-east-1", "s3", ""},
		{"", "", "sts", "eu-north-1", "sts", ""},
		{"aws:amz:ap-south-1:execute-api", "", "", "ap-south-1", "execute-api", ""},
		{"aws:amz:ap-south-1:execute-api", "us-west-2", "s3", "us-west-2", "s3", ""},
		{"gcp", "r", "s", "", "", `provider "gcp" is not supported`},
		{"aws:goog", "r", "s", "", "", `header prefix "goog"`},
		{"aws", "r", "", "", "", "no service"},
	}
	for _, tt := range tests {
		s, err := SigV4FromEnv(tt.provider, tt.region, tt.service)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want %q", tt.provider, err, tt.wantErr)
			}
			continue
		}
		if err != nil || s.AccessKey != "AKID" || s.SecretKey != "SECRET" || s.SessionToken != "TOKEN" || s.Region != tt.wantRegion || s.Service != tt.wantService {
			t.Errorf("%q %q %q: %+v %v", tt.provider, tt.region, tt.service, s, err)
		}
	}
	t.Setenv("AWS_DEFAULT_REGION", "")
	if _, err := SigV4FromEnv("aws", "", "s3"); err == nil || !strings.Contains(err.Error(), "no region") {
		t.Errorf("no region: %v", err)
	}
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if _, err := SigV4FromEnv("aws", "r", "s3"); err == nil || !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY is not set") {
		t.Errorf("no secret: %v", err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	if _, err := SigV4FromEnv("aws", "r", "s3"); err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID is not set") {
		t.Errorf("no key: %v", err)
	}
}

func TestExplainAWSError(t *testing.T) {
	tests := []struct {
		name, body       string
		code, msgContain string
	}{
		{"S3 signature", `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>AKID</AWSAccessKeyId></Error>`,
			"SignatureDoesNotMatch", "(AWS says: The request signature we calculated does not match"},
		{"S3 skew", `<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>`,
			"RequestTimeTooSkewed", "fix the local clock"},
		{"STS unknown key", `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>x</RequestId></ErrorResponse>`,
			"InvalidClientTokenId", "check AWS_ACCESS_KEY_ID"},
		{"S3 unknown key", `<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`,
			"InvalidAccessKeyId", "AWS does not know this access key ID"},
		{"expired", `<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>`,
			"ExpiredToken", "get new temporary credentials"},
		{"JSON API", `{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"The security token included in the request is expired"}`,
			"ExpiredTokenException", "get new temporary credentials"},
		{"unknown code keeps the server's words", `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>`,
			"NoSuchBucket", "The specified bucket does not exist"},
		{"terminal escapes are neutralised", `{"__type":"Weird","message":"\u001b]0;pwned\u0007hi"}`,
			"Weird", `\x1b]0;pwned`},
		{"not an AWS error", `<html><body>Forbidden</body></html>`, "", ""},
		{"empty", ``, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := ExplainAWSError(403, []byte(tt.body))
			if code != tt.code || !strings.Contains(msg, tt.msgContain) || (tt.code == "" && msg != "") {
				t.Errorf("= %q %q, want %q and a message with %q", code, msg, tt.code, tt.msgContain)
			}
			if strings.ContainsRune(msg, 0x1b) {
				t.Errorf("raw escape in %q", msg)
			}
		})
	}
}

func FuzzExplainAWSError(f *testing.F) {
	f.Add([]byte(`<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>`))
	f.Add([]byte(`{"__type":"a#ExpiredTokenException","message":"m"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		code, msg := ExplainAWSError(403, body)
		if strings.ContainsFunc(code+msg, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
			t.Fatalf("control character in %q %q", code, msg)
		}
	})
}
