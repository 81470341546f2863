package ui

import (
	"strings"
	"testing"

	"keyhole/practice"
	"keyhole/session"
)

// The timeline says every credential an attempt carried, from what the
// session recorded (Attempt.Carried), in a column that fits at 120 and at 80
// columns: the proxy's and the server's Basic on the attempt that answered
// both, where the row showed the server's alone.
func TestTimelineSaysEveryCredentialCarried(t *testing.T) {
	p, err := practice.StartProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	m := started(t, 120, 40) // the Basic lesson: GET /basic
	m = palette(t, m, "proxy")
	m = press(t, m, keys(p.URL)...)
	m = press(t, m, enter, enter) // apply the proxy, send: 407
	m = answer(t, m, map[string]string{"User": practice.User, "Password": practice.Password})
	m = press(t, m, enter) // the server's 401: Basic
	m = answer(t, m, map[string]string{"User": practice.User, "Password": practice.Password})
	as := m.sess.Attempts()
	if len(as) != 3 || as[2].Status() != 200 {
		t.Fatalf("%d attempts, last %d (%s)", len(as), m.sess.Last().Status(), m.Status())
	}
	for _, tc := range []struct {
		w, h int
		want []string // attempt 1, 2, 3
	}{
		{120, 40, []string{" none ", " proxy Basic alice ", " Basic alice, proxy Basic "}},
		{80, 24, []string{" none ", " proxy Basic alice ", " Basic, proxy Basic "}},
	} {
		m := sized(t, m, tc.w, tc.h)
		for m.Focused() != "timeline" {
			m = press(t, m, tab)
		}
		var rows []string
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, "/basic · ") {
				rows = append(rows, l)
			}
		}
		if len(rows) != 3 {
			t.Fatalf("%dx%d: %d timeline rows on screen:\n%s", tc.w, tc.h, len(rows), screen(m))
		}
		for i, r := range rows {
			if !strings.Contains(r, tc.want[i]) {
				t.Errorf("%dx%d: row %d %q, want %q", tc.w, tc.h, i+1, r, tc.want[i])
			}
			// The path starts in the same column on every row.
			if at, first := strings.Index(r, "/basic"), strings.Index(rows[0], "/basic"); at != first {
				t.Errorf("%dx%d: row %d's path at column %d, row 1's at %d:\n%s", tc.w, tc.h, i+1, at, first, strings.Join(rows, "\n"))
			}
		}
	}
}

// A token request says what it carried too, the client secret sent in the
// form body (client_secret_post) included, which no header shows. Its row
// names the method (the form, as Basic names the header) and the client at
// 120 columns, the method at 80; "client secret post-client" was cut to
// "client secret", which read like client_secret_basic's secret, or as the
// method "client_secret_post" when it fitted.
func TestTimelineSaysWhatATokenRequestCarried(t *testing.T) {
	m := started(t, 120, 40)
	m = typeURL("/client-auth")(t, m)
	m = oauthAs(practice.PostClientID, practice.PostClientSecret, "/oauth/token", "")(t, m)
	var got []string
	for _, a := range m.sess.Attempts() {
		if a.Purpose == session.PurposeToken {
			got = append(got, sentWhat(a, 40))
		}
	}
	want := []string{"Basic " + practice.PostClientID, "form secret " + practice.PostClientID}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("token requests carried %q, want %q (status %q)", got, want, m.Status())
	}
	for _, tc := range []struct {
		w, h int
		want []string // the refused Basic one, then the form's
	}{
		{120, 40, []string{" Basic post-client ", " form secret post-client "}},
		{80, 24, []string{" Basic post-client ", " form secret "}},
	} {
		m := sized(t, m, tc.w, tc.h)
		for m.Focused() != "timeline" {
			m = press(t, m, tab)
		}
		var rows []string
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, " POST ") && strings.Contains(l, "/oauth/token") {
				rows = append(rows, l)
			}
		}
		if len(rows) != 2 {
			t.Fatalf("%dx%d: %d token rows on screen:\n%s", tc.w, tc.h, len(rows), screen(m))
		}
		for i, r := range rows {
			if !strings.Contains(r, tc.want[i]) {
				t.Errorf("%dx%d: token row %d %q, want %q", tc.w, tc.h, i+1, r, tc.want[i])
			}
		}
	}
}
