package session

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"keyhole/httpclient"
)

// harRequired lists, per object of HAR 1.2, the fields the spec requires.
var harRequired = map[string][]string{
	"log":      {"version", "creator", "entries"},
	"creator":  {"name", "version"},
	"entry":    {"startedDateTime", "time", "request", "response", "cache", "timings"},
	"request":  {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"},
	"response": {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"},
	"content":  {"size", "mimeType"},
	"timings":  {"send", "wait", "receive"},
	"postData": {"mimeType", "params", "text"},
}

func requireFields(t *testing.T, what string, obj any) map[string]any {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, not an object", what, obj)
	}
	for _, k := range harRequired[what] {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks required field %q", what, k)
		}
	}
	return m
}

func TestHAR(t *testing.T) {
	_, attempts := realSession(t)
	// One more attempt that got no answer at all.
	srv := httptest.NewServer(http.NotFoundHandler())
	dead := srv.URL
	srv.Close()
	ex := httpclient.New(httpclient.Options{}).Do(context.Background(), &httpclient.Request{Method: "GET", URL: dead})
	attempts = append(attempts, &Attempt{N: 7, Purpose: PurposeRequest, Exchange: ex})

	data, err := HAR(attempts, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range secrets() {
		if strings.Contains(string(data), sec) {
			t.Errorf("HAR contains the secret %q", sec)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("HAR is not JSON: %v", err)
	}
	log := requireFields(t, "log", doc["log"])
	if log["version"] != "1.2" {
		t.Errorf("version %v", log["version"])
	}
	requireFields(t, "creator", log["creator"])
	entries := log["entries"].([]any)
	if len(entries) != 7 {
		t.Fatalf("%d entries, want 7", len(entries))
	}
	for _, x := range entries {
		e := requireFields(t, "entry", x)
		req := requireFields(t, "request", e["request"])
		resp := requireFields(t, "response", e["response"])
		requireFields(t, "content", resp["content"])
		tm := requireFields(t, "timings", e["timings"])
		for _, k := range []string{"send", "wait", "receive"} {
			if v, _ := tm[k].(float64); v < 0 {
				t.Errorf("timings.%s = %v; HAR forbids -1 there", k, v)
			}
		}
		if pd, ok := req["postData"]; ok {
			requireFields(t, "postData", pd)
		}
		if _, err := timeParse(e["startedDateTime"].(string)); err != nil {
			t.Errorf("startedDateTime: %v", err)
		}
	}
	token := entries[4].(map[string]any)
	pd := token["request"].(map[string]any)["postData"].(map[string]any)
	if pd["mimeType"] != "application/x-www-form-urlencoded" || len(pd["params"].([]any)) != 3 {
		t.Errorf("token postData = %v", pd)
	}
	if q := entries[5].(map[string]any)["request"].(map[string]any)["queryString"].([]any); len(q) != 1 || q[0].(map[string]any)["name"] != "api_key" {
		t.Errorf("queryString = %v", q)
	}
	last := entries[6].(map[string]any)
	if last["response"].(map[string]any)["status"] != 0.0 || last["_error"] == "" || last["_error"] == nil {
		t.Errorf("failed attempt entry = %v", last)
	}

	shown, _ := HAR(attempts, true)
	if !strings.Contains(string(shown), tAccess) {
		t.Error("HAR with showSecrets lacks the access token")
	}
}

func timeParse(s string) (any, error) { return time.Parse(time.RFC3339Nano, s) }

// A server's DEL and C1 controls (U+009B is CSI to many terminals) are
// escaped in the HAR, in the body and in headers, and decode back unchanged.
func TestHAREscapesC1AndDEL(t *testing.T) {
	const hostile = "a\u009b31mred\u0085\x7fz"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Note", strings.ReplaceAll(hostile, "\x7f", "")) // net/http refuses DEL in headers
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(hostile))
	}))
	defer srv.Close()
	ex := httpclient.New(httpclient.Options{}).Do(context.Background(), &httpclient.Request{Method: "GET", URL: srv.URL})
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	var streamed strings.Builder
	attempts := []*Attempt{{N: 1, Purpose: PurposeRequest, Exchange: ex}}
	if err := WriteHAR(&streamed, attempts, false); err != nil {
		t.Fatal(err)
	}
	data, err := HAR(attempts, false)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != streamed.String() {
		t.Error("HAR and WriteHAR differ")
	}
	for _, raw := range []string{"\u009b", "\u0085", "\x7f"} {
		if strings.Contains(string(data), raw) {
			t.Errorf("HAR holds a raw %q", raw)
		}
	}
	if !strings.Contains(string(data), `\u009b`) || !strings.Contains(string(data), `\u007f`) {
		t.Error("HAR lacks the escaped controls")
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Response struct {
					Headers []struct{ Name, Value string }
					Content struct{ Text string }
				}
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	resp := doc.Log.Entries[0].Response
	if resp.Content.Text != hostile {
		t.Errorf("body decoded to %q, want %q", resp.Content.Text, hostile)
	}
	found := false
	for _, h := range resp.Headers {
		found = found || h.Name == "X-Note" && h.Value == strings.ReplaceAll(hostile, "\x7f", "")
	}
	if !found {
		t.Errorf("X-Note not decoded back to %q: %v", hostile, resp.Headers)
	}
}
