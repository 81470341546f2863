package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// s3Keys are the fake S3's accounts; "AKIDREADONLY" may sign but do nothing.
var s3Keys = map[string]string{
	"AKIDEXAMPLE":  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	"AKIDREADONLY": "readonly/secret",
}

// fakeS3 checks SigV4 the way S3 does, in S3's order, and answers S3's XML
// error bodies: an unknown key, a wrong region or service, a skewed clock, a
// wrong signature (recomputed with the SDK's signer over the signed headers),
// an expired session token, then a policy that denies.
func fakeS3(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, code, msg, extra string) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>%s</Code><Message>%s</Message>%s<RequestId>4442587FB7D0A2F9</RequestId><HostId>fake</HostId></Error>", code, msg, extra)
		}
		auth := r.Header.Get("Authorization")
		if auth == "" {
			fail(403, "AccessDenied", "Access Denied", "")
			return
		}
		_, rest, _ := strings.Cut(auth, "Credential=")
		cred, rest, _ := strings.Cut(rest, ",")
		_, signedHeaders, _ := strings.Cut(rest, "SignedHeaders=")
		signedHeaders, _, _ = strings.Cut(signedHeaders, ",")
		scope := strings.Split(cred, "/") // key, date, region, service, aws4_request
		secret, known := s3Keys[scope[0]]
		switch {
		case len(scope) != 5:
			fail(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the Credential is mal-formed.", "")
			return
		case !known:
			fail(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", "<AWSAccessKeyId>"+scope[0]+"</AWSAccessKeyId>")
			return
		case scope[2] != "eu-west-1":
			fail(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region '"+scope[2]+"' is wrong; expecting 'eu-west-1'", "<Region>eu-west-1</Region>")
			return
		}
		now := time.Now().UTC()
		amzDate := r.Header.Get("X-Amz-Date")
		at, err := time.Parse("20060102T150405Z", amzDate)
		if err != nil || at.Sub(now) > 15*time.Minute || now.Sub(at) > 15*time.Minute {
			fail(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.",
				"<RequestTime>"+amzDate+"</RequestTime><ServerTime>"+now.Format(time.RFC3339)+"</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>")
			return
		}
		check, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
		for _, h := range strings.Split(signedHeaders, ";") {
			if h != "host" {
				check.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
			}
		}
		payload := r.Header.Get("X-Amz-Content-Sha256")
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		creds := aws.Credentials{AccessKeyID: scope[0], SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
		if err := signer.SignHTTP(context.Background(), creds, check, payload, "s3", "eu-west-1", at); err != nil {
			t.Error(err)
		}
		if check.Header.Get("Authorization") != auth {
			sum := sha256.Sum256([]byte(r.Method + "\n" + r.URL.Path))
			toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + strings.Join(scope[1:], "/") + "\n" + hex.EncodeToString(sum[:])
			fail(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
				"<AWSAccessKeyId>"+scope[0]+"</AWSAccessKeyId><StringToSign>"+toSign+"</StringToSign><SignatureProvided>x</SignatureProvided>")
			return
		}
		if tok := r.Header.Get("X-Amz-Security-Token"); tok == "expired-session-token" {
			fail(400, "ExpiredToken", "The provided token has expired.", "<Token-0>"+tok+"</Token-0>")
			return
		}
		if scope[0] == "AKIDREADONLY" {
			fail(403, "AccessDenied", "Access Denied", "")
			return
		}
		fmt.Fprint(w, "hello")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDiagnoseAWS(t *testing.T) {
	srv := fakeS3(t)
	good := credentials.SigV4{AccessKey: "AKIDEXAMPLE", SecretKey: s3Keys["AKIDEXAMPLE"], Region: "eu-west-1", Service: "s3"}
	with := func(f func(*credentials.SigV4)) *credentials.SigV4 {
		s := good
		f(&s)
		return &s
	}
	for _, tc := range []struct {
		name   string
		auth   credentials.Authorizer
		status int
		code   string
		says   []string // in Message or Next
		not    string   // a finding that must not be there
	}{
		{"signed right", &good, 200, "", nil, "forbidden"},
		{"wrong secret", with(func(s *credentials.SigV4) { s.SecretKey = "wrong-secret-key" }), 403, "aws-signature-mismatch",
			[]string{"SignatureDoesNotMatch", "scope (", "/eu-west-1/s3/aws4_request) is the one AWS used", "secret key", "region and service"}, "forbidden"},
		{"wrong region", with(func(s *credentials.SigV4) { s.Region = "us-east-1" }), 400, "aws-signature-mismatch",
			[]string{"region 'us-east-1' is wrong", "Sign for region 'eu-west-1'"}, ""},
		{"clock an hour behind", with(func(s *credentials.SigV4) { s.Now = func() time.Time { return time.Now().Add(-time.Hour) } }), 403, "clock-skew",
			[]string{"RequestTimeTooSkewed", "1h0m apart", "AWS allows 15m", "agrees with AWS's", "Sign the request again now"}, "forbidden"},
		{"unknown key", with(func(s *credentials.SigV4) { s.AccessKey = "AKIDNOBODY" }), 403, "aws-invalid-key",
			[]string{"access key ID AKIDNOBODY", "InvalidAccessKeyId"}, "forbidden"},
		{"expired session token", with(func(s *credentials.SigV4) { s.SessionToken = "expired-session-token" }), 400, "aws-token-expired",
			[]string{"ExpiredToken", "new temporary credentials"}, ""},
		{"denied by policy", with(func(s *credentials.SigV4) { s.AccessKey, s.SecretKey = "AKIDREADONLY", s3Keys["AKIDREADONLY"] }), 403, "aws-access-denied",
			[]string{"IAM policy"}, "forbidden"},
		{"not signed", nil, 403, "aws-access-denied", []string{"anonymous", "Sign the request with SigV4"}, "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, a := send(t, httpclient.Options{}, srv.URL+"/bucket/key.txt", tc.auth)
			if a.Status() != tc.status {
				t.Fatalf("status %d, want %d; body %s", a.Status(), tc.status, a.Exchange.Response.Body)
			}
			if tc.not != "" {
				noFinding(t, a, tc.not)
			}
			if tc.code == "" {
				for _, f := range a.Findings {
					if strings.HasPrefix(f.Code, "aws-") {
						t.Errorf("finding %s on a success", f.Code)
					}
				}
				return
			}
			f := finding(t, a, tc.code)
			if f.Severity != Error {
				t.Errorf("%s is %s, want error", f.Code, f.Severity)
			}
			for _, s := range tc.says {
				if !strings.Contains(f.Message+" "+f.Next, s) {
					t.Errorf("%s lacks %q:\n%s\n%s", f.Code, s, f.Message, f.Next)
				}
			}
			if strings.Contains(f.Message+f.Next, "wrong-secret-key") || strings.Contains(f.Message+f.Next, "expired-session-token") {
				t.Errorf("%s quotes a secret: %s", f.Code, f.Message)
			}
		})
	}
}

// An answer that is not AWS's, with a Code element, is not taken for one.
func TestDiagnoseAWSOnlyAWS(t *testing.T) {
	srv := challenger(t, 403, map[string]string{"Content-Type": "application/xml"}, "<Error><Code>NoSuchThing</Code></Error>")
	_, a := send(t, httpclient.Options{}, srv.URL)
	finding(t, a, "forbidden")
	for _, f := range a.Findings {
		if strings.HasPrefix(f.Code, "aws-") {
			t.Errorf("unsigned request with an unknown code got %s", f.Code)
		}
	}
}
