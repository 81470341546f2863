package main

import (
	"encoding/json"
	"strings"
	"testing"
)

type explainJSON struct {
	Challenges []struct {
		Scheme  string            `json:"scheme"`
		Params  map[string]string `json:"params"`
		Token68 string            `json:"token68"`
	} `json:"challenges"`
	Problems []struct {
		Severity string `json:"severity"`
		Offset   int    `json:"offset"`
		Message  string `json:"message"`
	} `json:"problems"`
}

func TestExplainJSONRFC9110Example(t *testing.T) {
	r := keyhole(t, runOpts{}, "explain", "--json", `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`)
	wantCode(t, r, exitOK)
	var doc explainJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(doc.Challenges) != 2 || len(doc.Problems) != 0 {
		t.Fatalf("got %+v", doc)
	}
	c := doc.Challenges[0]
	if c.Scheme != "Newauth" || c.Params["realm"] != "apps" || c.Params["type"] != "1" || c.Params["title"] != `Login to "apps"` {
		t.Errorf("first challenge = %+v", c)
	}
	if doc.Challenges[1].Scheme != "Basic" || doc.Challenges[1].Params["realm"] != "simple" {
		t.Errorf("second challenge = %+v", doc.Challenges[1])
	}
	var raw map[string]any
	json.Unmarshal([]byte(r.stdout), &raw)
	first := raw["challenges"].([]any)[0].(map[string]any)
	for _, k := range []string{"scheme", "params", "token68"} {
		if _, ok := first[k]; !ok {
			t.Errorf("challenge lacks %q: %v", k, first)
		}
	}
}

func TestExplainWords(t *testing.T) {
	r := keyhole(t, runOpts{}, "explain", `Digest realm="api", qop="auth, auth-int", algorithm=SHA-256, nonce="abc"`, `Basic realm="x"`)
	wantCode(t, r, exitOK)
	for _, want := range []string{"Digest, SHA-256, realm 'api'", "qop auth or auth-int", "Basic, realm 'x'", `nonce = "abc"`, "keyhole would answer #1 (Digest)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestExplainErrorsExit1AfterPrintingWhatWasRecovered(t *testing.T) {
	r := keyhole(t, runOpts{}, "explain", "--json", `realm="orphan"`, `Basic realm="ok"`)
	wantCode(t, r, exitNoAnswer)
	var doc explainJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(doc.Problems) == 0 || doc.Problems[0].Severity != "error" || doc.Problems[0].Message == "" {
		t.Errorf("problems = %+v", doc.Problems)
	}
	if len(doc.Challenges) != 1 || doc.Challenges[0].Scheme != "Basic" {
		t.Errorf("the good value was not recovered: %+v", doc.Challenges)
	}
	r = keyhole(t, runOpts{}, "explain", `realm="orphan"`)
	wantCode(t, r, exitNoAnswer)
	if !strings.Contains(r.stdout, "error at byte") {
		t.Errorf("the problem is not shown:\n%s", r.stdout)
	}
}

func TestExplainStdinOneValuePerLine(t *testing.T) {
	in := "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"\n\nNegotiate\n"
	r := keyhole(t, runOpts{stdin: in}, "explain", "--json")
	wantCode(t, r, exitOK)
	var doc explainJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(doc.Challenges) != 2 || doc.Challenges[0].Scheme != "Bearer" || doc.Challenges[0].Params["error"] != "invalid_token" || doc.Challenges[1].Scheme != "Negotiate" {
		t.Errorf("challenges = %+v", doc.Challenges)
	}
	r = keyhole(t, runOpts{}, "explain")
	wantCode(t, r, exitUsage)
}

func TestExplainProxyAndEscapes(t *testing.T) {
	r := keyhole(t, runOpts{}, "explain", "--proxy", `Basic realm="corp"`)
	wantCode(t, r, exitOK)
	if !strings.HasPrefix(r.stdout, "Proxy-Authenticate: ") {
		t.Errorf("--proxy not shown:\n%s", r.stdout)
	}
	// A control character in a quoted string is an error (RFC 9110 §5.6.4),
	// and must reach the terminal only escaped, in words and in JSON.
	for _, args := range [][]string{{"explain", "Basic realm=\"a\x1b[2Jb\u009b\x7f\""}, {"explain", "--json", "Basic realm=\"a\x1b[2Jb\u009b\x7f\""}} {
		r = keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitNoAnswer, args...)
		for _, bad := range []string{"\x1b", "\u009b", "\x7f"} {
			if strings.Contains(r.all(), bad) {
				t.Errorf("keyhole %q let %q reach the terminal: %q", args, bad, r.all())
			}
		}
	}
}
