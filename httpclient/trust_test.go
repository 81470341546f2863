package httpclient

import (
	"strings"
	"testing"
)

func TestMaySendSecret(t *testing.T) {
	o := func(s string) Origin {
		t.Helper()
		x, err := ParseOrigin(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	a := o("http://127.0.0.1:8401")
	for _, tt := range []struct {
		name    string
		bound   Origin
		target  string
		trusted []Origin
		want    bool
		why     string
	}{
		{"same origin", a, "http://127.0.0.1:8401/token", nil, true, ""},
		{"default port spelled out", o("https://example.com"), "https://EXAMPLE.com:443/t", nil, true, ""},
		{"another port", a, "http://127.0.0.1:8402/token", nil, false, "another origin"},
		{"another host name for the same address", a, "http://localhost:8401/token", nil, false, "another origin"},
		{"another scheme", o("https://example.com"), "http://example.com/t", nil, false, "plain http"},
		{"trusted exactly", a, "http://localhost:9000/t", []Origin{o("http://localhost:9000")}, true, ""},
		{"trusted host, any port and scheme", a, "https://auth.example.com:8443/t", []Origin{o("auth.example.com")}, true, ""},
		{"trusted host on another port", a, "http://localhost:9001/t", []Origin{o("localhost:9000")}, false, "another origin"},
		{"plain http off loopback, even trusted", o("https://example.com"), "http://auth.example.com/t", []Origin{o("auth.example.com")}, false, "plain http"},
		{"nothing bound", Origin{}, "http://127.0.0.1:8401/t", nil, false, "does not know"},
	} {
		target, ok := OriginOfURL(tt.target)
		if !ok {
			t.Fatalf("%s: %q", tt.name, tt.target)
		}
		got, why := MaySendSecret(tt.bound, target, tt.trusted)
		if got != tt.want || !strings.Contains(why, tt.why) {
			t.Errorf("%s: MaySendSecret(%v, %v) = %v, %q", tt.name, tt.bound, target, got, why)
		}
	}
}

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:8402":   "http://localhost:8402",
		"https://example.com:443": "https://example.com",
		"HTTPS://Example.COM/":    "https://example.com",
		"localhost:8402":          "localhost:8402",
		"[::1]:8402":              "[::1]:8402",
		"auth.example.com":        "auth.example.com",
	} {
		got, err := ParseOrigin(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseOrigin(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://example.com", "https://example.com/path", "https://u:p@example.com", "http://", "a b",
		":::", ":8402", "example.com:99999", "example.com:0", "http://example.com:abc", "example.com:"} {
		if _, err := ParseOrigin(bad); err == nil {
			t.Errorf("ParseOrigin(%q) accepted it", bad)
		}
	}
}
