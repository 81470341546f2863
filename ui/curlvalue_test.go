package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/practice"
)

// A pasted curl command whose scheme option takes a value fills that
// scheme's form by field key, as its description names the fields (the
// token; SigV4's scope, and its keys from -u), and the next enter sends
// the credentials: the practice server's /bearer and a server that wants
// a SigV4 signature for eu-west-1/s3 with the command's access key.
func TestPasteACurlValueOption(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, tea.PasteMsg{Content: "curl --oauth2-bearer " + practice.Token + " " + m.srv.URL + "/bearer"})
	if m.form.kind != "bearer" || m.form.value("token") != practice.Token {
		t.Fatalf("form after pasting --oauth2-bearer: %q token set %v (%s)", m.form.kind, m.form.value("token") != "", m.Status())
	}
	mustContain(t, m.Status(), "curl --oauth2-bearer")
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 200 || a.Scheme != "Bearer" {
		t.Fatalf("imported --oauth2-bearer: %d %q (%s)", a.Status(), a.Scheme, m.Status())
	}

	const access, secret = "AKIDKEYHOLEUI", "sk-keyhole-ui-7781"
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+access+"/") || !strings.Contains(auth, "/eu-west-1/s3/aws4_request") {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message></Error>`)
			return
		}
		fmt.Fprintln(w, "signed ok")
	}))
	t.Cleanup(aws.Close)
	m = press(t, m, tea.PasteMsg{Content: "curl --aws-sigv4 aws:amz:eu-west-1:s3 -u " + access + ":" + secret + " " + aws.URL + "/bucket/key"})
	if m.form.kind != "aws-sigv4" || m.form.value("access_key") != access || m.form.value("secret_key") != secret || m.form.value("aws_sigv4") != "aws:amz:eu-west-1:s3" {
		t.Fatalf("form after pasting --aws-sigv4: %q access key %q scope %q (%s)", m.form.kind, m.form.value("access_key"), m.form.value("aws_sigv4"), m.Status())
	}
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 200 {
		t.Fatalf("imported --aws-sigv4: %d (%s)", a.Status(), m.Status())
	}
	if s := screen(m); strings.Contains(s, secret) || strings.Contains(m.Status(), secret) {
		t.Fatalf("the secret key is on screen:\n%s", s)
	}
}
