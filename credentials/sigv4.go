package credentials

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyhole/httpclient"
)

// SigV4 signs requests with AWS Signature Version 4, using the AWS SDK's
// signer. AWS never sends a challenge: a wrong signature comes back as a 403
// whose XML body ExplainAWSError reads.
type SigV4 struct {
	AccessKey    string
	SecretKey    string
	SessionToken string // for temporary credentials; "" otherwise
	Region       string // e.g. us-east-1
	Service      string // e.g. s3, execute-api, sts
	Now          func() time.Time
}

func (SigV4) Scheme() string { return "AWS4-HMAC-SHA256" }

// Validate says which part is missing.
func (s SigV4) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"access key ID", s.AccessKey}, {"secret access key", s.SecretKey}, {"region", s.Region}, {"service", s.Service},
	} {
		if f.v == "" {
			return fmt.Errorf("sigv4: the %s is empty; AWS needs access key, secret key, region and service to sign", f.name)
		}
	}
	if strings.ContainsFunc(s.AccessKey+s.SecretKey+s.SessionToken+s.Region+s.Service, isCTL) {
		return errors.New("sigv4: a key, token, region or service contains control characters; paste only the value")
	}
	return nil
}

// Apply signs r as it will be sent: method, URL, headers and a SHA-256 of the
// body. Sign last: any header changed afterwards breaks the signature.
func (s SigV4) Apply(r *httpclient.Request, _ *httpclient.Challenge) error {
	if err := s.Validate(); err != nil {
		return err
	}
	req, err := http.NewRequest(r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return fmt.Errorf("sigv4: cannot read the request to sign: %w", err)
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	// A retry must not carry the previous attempt's signature into the new one.
	for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
		r.Header.Del(h)
	}
	req.Header = r.Header.Clone()
	if h := r.Header.Get("Host"); h != "" {
		req.Host = h
	}
	sum := sha256.Sum256(r.Body)
	payload := hex.EncodeToString(sum[:])
	s3 := strings.EqualFold(s.Service, "s3")
	if s3 {
		// S3 refuses a request without the payload hash header.
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	creds := aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey, SessionToken: s.SessionToken}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s3 })
	if err := signer.SignHTTP(context.Background(), creds, req, payload, s.Service, s.Region, now().UTC()); err != nil {
		return fmt.Errorf("sigv4: signing failed: %w", err)
	}
	for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
		if v := req.Header.Get(h); v != "" {
			r.Header.Set(h, v)
		}
	}
	return nil
}

// SigV4FromEnv reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN. provider is "aws" or curl's --aws-sigv4 form
// "aws:amz[:region[:service]]", whose region and service are used when the
// arguments are empty; region falls back to AWS_REGION, then AWS_DEFAULT_REGION.
func SigV4FromEnv(provider, region, service string) (SigV4, error) {
	parts := strings.Split(provider, ":")
	if p := strings.ToLower(parts[0]); p != "" && p != "aws" {
		return SigV4{}, fmt.Errorf("sigv4: provider %q is not supported; keyhole signs AWS-style requests (aws:amz) only", parts[0])
	}
	if len(parts) > 1 && !strings.EqualFold(parts[1], "amz") {
		return SigV4{}, fmt.Errorf("sigv4: header prefix %q is not supported; only amz (X-Amz-*) is", parts[1])
	}
	if region == "" && len(parts) > 2 {
		region = parts[2]
	}
	if service == "" && len(parts) > 3 {
		service = parts[3]
	}
	for _, env := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if region == "" {
			region = os.Getenv(env)
		}
	}
	s := SigV4{
		AccessKey: os.Getenv("AWS_ACCESS_KEY_ID"), SecretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: os.Getenv("AWS_SESSION_TOKEN"), Region: region, Service: service,
	}
	switch {
	case s.AccessKey == "":
		return SigV4{}, errors.New("sigv4: AWS_ACCESS_KEY_ID is not set; export it (and AWS_SECRET_ACCESS_KEY) or enter the keys")
	case s.SecretKey == "":
		return SigV4{}, errors.New("sigv4: AWS_SECRET_ACCESS_KEY is not set; export it or enter the secret key")
	case region == "":
		return SigV4{}, errors.New("sigv4: no region; give one (e.g. us-east-1) or set AWS_REGION")
	case service == "":
		return SigV4{}, errors.New("sigv4: no service; give the service to sign for, e.g. s3, execute-api or sts")
	}
	return s, nil
}

// awsErrorHelp explains the error codes that are about authentication.
var awsErrorHelp = map[string]string{
	"SignatureDoesNotMatch":       "the signature differs from the one AWS computed: check the secret key, the region and service of the credential scope, and that nothing (a proxy, a redirect, an edited header) changed the request after signing",
	"IncompleteSignature":         "the Authorization header is missing parts of a SigV4 signature: sign with AWS4-HMAC-SHA256",
	"RequestTimeTooSkewed":        "the request's X-Amz-Date is too far from AWS's clock (15 minutes at most): fix the local clock and sign again",
	"RequestExpired":              "the signature's time is too old or too far ahead: fix the local clock and sign again",
	"InvalidAccessKeyId":          "AWS does not know this access key ID: check AWS_ACCESS_KEY_ID and that it belongs to this partition (aws, aws-cn, aws-us-gov)",
	"InvalidClientTokenId":        "AWS does not know this access key ID or session token: check AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN",
	"UnrecognizedClientException": "AWS does not know this access key ID or session token: check AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN",
	"ExpiredToken":                "the session token has expired: get new temporary credentials (AWS_SESSION_TOKEN)",
	"ExpiredTokenException":       "the session token has expired: get new temporary credentials (AWS_SESSION_TOKEN)",
	"InvalidToken":                "the session token is malformed or invalid: copy AWS_SESSION_TOKEN again, whole",
	"MissingAuthenticationToken":  "the request was not signed, or went to an endpoint that does not exist: sign it with SigV4 and check the URL",
	"AccessDenied":                "the signature is valid but a policy denies the action: check the IAM permissions of this key",
	"AccessDeniedException":       "the signature is valid but a policy denies the action: check the IAM permissions of this key",
}

// ExplainAWSError reads an AWS error answer (S3's <Error>, the query APIs'
// <ErrorResponse><Error>, or a JSON API's __type) and returns its code and a
// message saying what it means for the signature and what to do. Both are ""
// when body holds no AWS error. The server's own message is included, made
// safe for the terminal.
func ExplainAWSError(status int, body []byte) (code, message string) {
	code, server := awsErrorXML(body)
	if code == "" {
		code, server = awsErrorJSON(body)
	}
	if code == "" {
		return "", ""
	}
	code = httpclient.SafeLine(code)
	server = httpclient.SafeLine(strings.TrimSpace(server))
	help, known := awsErrorHelp[code]
	switch {
	case !known && server == "":
		return code, fmt.Sprintf("AWS answered %d %s", status, code)
	case !known:
		return code, server
	case server != "":
		return code, help + " (AWS says: " + server + ")"
	}
	return code, help
}

// awsErrorXML finds the first Code and Message elements, wherever the
// service nests them.
func awsErrorXML(body []byte) (code, message string) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var in string
	for {
		tok, err := d.Token()
		if err != nil {
			return code, message
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local
		case xml.EndElement:
			in = ""
		case xml.CharData:
			switch {
			case in == "Code" && code == "":
				code = string(t)
			case in == "Message" && message == "":
				message = string(t)
			}
		}
	}
}

func awsErrorJSON(body []byte) (code, message string) {
	var e struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	code = e.Type
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = e.Code
	}
	message = e.Message
	if message == "" {
		message = e.MessageU
	}
	return code, message
}

func init() {
	Register(Description{
		Mode: "aws-sigv4", Order: 100, Title: "AWS SigV4", Wire: "AWS4-HMAC-SHA256",
		Fields: []Field{
			{Key: "access_key", Label: "Access key", Flag: "AWS_ACCESS_KEY_ID", Optional: true, Hint: "empty: AWS_ACCESS_KEY_ID and the rest"},
			{Key: "secret_key", Label: "Secret key", Flag: "AWS_SECRET_ACCESS_KEY", Secret: true, Optional: true},
			{Key: "session_token", Label: "Session", Flag: "AWS_SESSION_TOKEN", Secret: true, Optional: true, Hint: "session token, optional"},
			{Key: "aws_sigv4", Label: "Scope", Flag: "--aws-sigv4", Hint: "aws:amz:REGION:SERVICE, e.g. aws:amz:us-east-1:s3"},
		},
		Headers: []string{"Authorization", "X-Amz-Security-Token"},
		Curl:    "--aws-sigv4", CurlValue: "aws_sigv4", CurlLogin: [2]string{"access_key", "secret_key"}, CurlArgs: sigv4Curl,
		Build: func(v map[string]string) (Authorizer, error) {
			provider, region, service := AWSScope(v["aws_sigv4"])
			if v["access_key"] == "" {
				return SigV4FromEnv(provider, region, service)
			}
			if parts := strings.Split(provider, ":"); region == "" && len(parts) == 4 {
				region, service = parts[2], parts[3] // aws:amz:REGION:SERVICE
			}
			if region == "" && service == "" {
				return nil, fmt.Errorf("sigv4: the scope %q has no region and service; write it as aws:amz:REGION:SERVICE", v["aws_sigv4"])
			}
			s := SigV4{AccessKey: v["access_key"], SecretKey: v["secret_key"], SessionToken: v["session_token"], Region: region, Service: service}
			return s, s.Validate()
		},
	})
}

// AWSScope reads PROVIDER:REGION:SERVICE, or in curl's spelling
// aws:amz:REGION:SERVICE, which SigV4FromEnv reads itself.
func AWSScope(v string) (provider, region, service string) {
	parts := strings.Split(v, ":")
	if len(parts) == 3 && !strings.EqualFold(parts[1], "amz") {
		return parts[0], parts[1], parts[2]
	}
	return v, "", ""
}

var sigv4Credential = lazyRegexp(`Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request`)

// sigv4Curl: curl --aws-sigv4 aws:amz:REGION:SERVICE -u
// ACCESS_KEY:$AWS_SECRET_ACCESS_KEY, for a server; curl signs again with
// its own date, so X-Amz-Date goes.
func sigv4Curl(value string, h http.Header, proxy bool) []CurlOption {
	m := sigv4Credential().FindStringSubmatch(value)
	if proxy || m == nil {
		return nil
	}
	h.Del("X-Amz-Date")
	return []CurlOption{
		{Name: "--aws-sigv4", Value: []CurlPiece{{Text: "aws:amz:" + m[2] + ":" + m[3]}}},
		{Name: "-u", Value: []CurlPiece{{Text: m[1], Var: "AWS_ACCESS_KEY_ID"}, {Text: ":"}, {Var: "AWS_SECRET_ACCESS_KEY", Unsent: true}}},
	}
}
