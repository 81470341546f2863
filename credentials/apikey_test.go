package credentials

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"keyhole/httpclient"
)

func TestAPIKeyApply(t *testing.T) {
	tests := []struct {
		name    string
		key     APIKey
		url     string
		cookie  string
		wantURL string
		header  map[string]string
		wantErr string
	}{
		{name: "header by default", key: APIKey{Value: "k1"}, header: map[string]string{"X-API-Key": "k1"}},
		{name: "named header", key: APIKey{Name: "Api-Key", Value: "k1", In: "header"}, header: map[string]string{"Api-Key": "k1"}},
		{name: "query", key: APIKey{Value: "a b&c", In: "query"}, url: "http://h/p?x=1", wantURL: "http://h/p?api_key=a+b%26c&x=1"},
		{name: "query replaces", key: APIKey{Name: "key", Value: "new", In: "query"}, url: "http://h/p?key=old", wantURL: "http://h/p?key=new"},
		{name: "cookie", key: APIKey{Name: "session_key", Value: "k1", In: "Cookie"}, header: map[string]string{"Cookie": "session_key=k1"}},
		{name: "cookie kept beside others and replaced", key: APIKey{Value: "new", In: "cookie"}, cookie: "a=1; api_key=old", header: map[string]string{"Cookie": "a=1; api_key=new"}},
		{name: "empty key", key: APIKey{}, wantErr: "empty"},
		{name: "bad place", key: APIKey{Value: "k", In: "body"}, wantErr: "use header, query or cookie"},
		{name: "newline", key: APIKey{Value: "k\r\nX: y"}, wantErr: "control characters"},
		{name: "bad header name", key: APIKey{Name: "X Key", Value: "k"}, wantErr: "not a valid header name"},
		{name: "cookie with semicolon", key: APIKey{Value: "a;b", In: "cookie"}, wantErr: "cookie cannot carry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.url
			if u == "" {
				u = "http://h/p"
			}
			r := &httpclient.Request{Method: "GET", URL: u, Header: http.Header{}}
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
			}
			err := tt.key.Apply(r, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantURL != "" && r.URL != tt.wantURL {
				t.Errorf("URL = %s, want %s", r.URL, tt.wantURL)
			}
			for k, v := range tt.header {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// The key arrives where the server looks for it, through a real request.
func TestAPIKeyOverTheWire(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("api_key")
		var cv string
		if c != nil {
			cv = c.Value
		}
		w.Write([]byte(r.Header.Get("X-API-Key") + "|" + r.URL.Query().Get("api_key") + "|" + cv))
	}))
	defer srv.Close()
	c := httpclient.New(httpclient.Options{})
	for in, want := range map[string]string{"header": "s3cret||", "query": "|s3cret|", "cookie": "||s3cret"} {
		r := &httpclient.Request{Method: "GET", URL: srv.URL + "/x", Header: http.Header{}}
		if err := (APIKey{Value: "s3cret", In: in}).Apply(r, nil); err != nil {
			t.Fatal(err)
		}
		ex := c.Do(context.Background(), r)
		if ex.Err != nil || string(ex.Response.Body) != want {
			t.Errorf("in %s: got %v %q, want %q", in, ex.Err, ex.Response.Body, want)
		}
	}
}
