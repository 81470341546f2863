package session

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Issue 17 items 4 and 6: a saved session holds no secret the session sent,
// neither in its own slot (an API key under a name no list knows) nor where
// the server echoed it (reason phrase, a header, the body).
func TestSaveScrubsEchoedSecrets(t *testing.T) {
	const key = "tenant-key-55117"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Tenant-Id") + r.URL.Query().Get("appid")
		conn, buf, _ := w.(http.Hijacker).Hijack()
		defer conn.Close()
		body := fmt.Sprintf(`{"error_description":"bad key %s"}`, got)
		fmt.Fprintf(buf, "HTTP/1.1 403 Forbidden for %s\r\nX-Echo: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", got, got, len(body), body)
		buf.Flush()
	}))
	defer srv.Close()
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/x", Header: http.Header{}})
	for _, k := range []credentials.APIKey{{Name: "X-Tenant-Id", Value: key}, {Name: "appid", Value: key + "-q", In: "query"}} {
		if _, err := s.Send(context.Background(), k); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(string(s.Last().Exchange.Response.Body), key) {
		t.Fatal("the server did not echo the key; the test proves nothing")
	}
	path, err := Save(t.TempDir(), s, "echo")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), key) {
		t.Errorf("the saved session holds the key in clear:\n%s", b)
	}
	if !strings.Contains(string(b), credentials.Redacted) {
		t.Errorf("nothing masked in:\n%s", b)
	}
}
