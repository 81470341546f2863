package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

const explainHelp = `Usage: keyhole explain [--json] [--proxy] [VALUE...]

Parses WWW-Authenticate (or, with --proxy, Proxy-Authenticate) field values and
says what each challenge asks for. Values come from the arguments, or one per
line on stdin. Problems are reported with their byte offset in the value.

Examples:
  keyhole explain 'Digest realm="api", qop="auth, auth-int", algorithm=SHA-256, nonce="abc"'
  keyhole explain --json 'Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"'
  curl -sI https://example.com/ | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: //p' | keyhole explain

Exit status: 0 parsed without errors, 1 errors found (what could be recovered is
still printed), 2 usage error.

Flags:
`

// explainDoc is the JSON of 'keyhole explain --json'.
type explainDoc struct {
	Challenges []explainChallenge `json:"challenges"`
	Problems   []explainProblem   `json:"problems"`
}

type explainChallenge struct {
	Value   int            `json:"value,omitempty"` // 1-based input value, when several were given
	Scheme  string         `json:"scheme"`
	Params  session.Params `json:"params"`
	Token68 string         `json:"token68"`
}

type explainProblem struct {
	Value    int    `json:"value,omitempty"`
	Severity string `json:"severity"`
	Offset   int    `json:"offset"`
	Message  string `json:"message"`
}

// explainOptions are the flags of 'keyhole explain'.
type explainOptions struct{ json, proxy bool }

func explainFlags(o *explainOptions) *flagSet {
	fs := newFlagSet("keyhole explain")
	fs.Bool(&o.json, "json", "", "print the challenges and problems as JSON")
	fs.Bool(&o.proxy, "proxy", "", "the values are Proxy-Authenticate, not WWW-Authenticate")
	return fs
}

// cmdExplain explains the challenges in values, or in the lines of stdin.
func cmdExplain(o explainOptions, values []string, stdin io.Reader, stdout, stderr io.Writer) int {
	asJSON, proxy := o.json, o.proxy
	if len(values) == 0 {
		var err error
		values, err = readValues(stdin)
		if err != nil {
			return usageError(stderr, "explain", err)
		}
	}
	header := httpclient.WWWAuthenticate
	if proxy {
		header = httpclient.ProxyAuthenticate
	}

	doc := explainDoc{Challenges: []explainChallenge{}, Problems: []explainProblem{}}
	failed := false
	out := newPrinter(stdout, false)
	for i, v := range values {
		n := 0
		if len(values) > 1 {
			n = i + 1
		}
		chs, probs := httpclient.ParseChallenges(v)
		for j := range chs {
			chs[j].Header = header
		}
		for _, p := range probs {
			failed = failed || p.Severity == httpclient.SeverityError
		}
		if asJSON {
			for _, c := range chs {
				doc.Challenges = append(doc.Challenges, explainChallenge{n, c.Scheme, session.Params(c.Params), c.Token68})
			}
			for _, p := range probs {
				doc.Problems = append(doc.Problems, explainProblem{n, p.Severity, p.Offset, p.Message})
			}
			continue
		}
		if i > 0 {
			out.line("")
		}
		out.explain(header, v, chs, probs)
	}
	if asJSON {
		if err := writeJSON(stdout, doc); err != nil {
			fmt.Fprintf(stderr, "keyhole explain: cannot write JSON: %v\n", err)
			return exitNoAnswer
		}
	}
	if failed {
		return exitNoAnswer
	}
	return exitOK
}

// readValues reads one field value a line, skipping blank lines; a value
// pasted with its header name ("WWW-Authenticate: ...") loses the name.
func readValues(stdin io.Reader) ([]string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return nil, errors.New("no values given; pass them as arguments or pipe them one per line")
	}
	var out []string
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if name, rest, ok := strings.Cut(line, ":"); ok {
			n := strings.ToLower(strings.TrimSpace(name))
			if n == "www-authenticate" || n == "proxy-authenticate" {
				line = strings.TrimSpace(rest)
			}
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read values from stdin: %v; pass the values as arguments instead", err)
	}
	if len(out) == 0 {
		return nil, errors.New("no values given; pass them as arguments or pipe them one per line")
	}
	return out, nil
}

// explain prints one field value's challenges in words and its problems.
func (p *printer) explain(header, value string, chs []httpclient.Challenge, probs []httpclient.Problem) {
	p.line(header + ": " + httpclient.SafeLine(value))
	if len(chs) == 0 {
		p.line("  no challenge found")
	}
	for i, c := range chs {
		p.line(fmt.Sprintf("  %d. %s", i+1, httpclient.SafeLine(session.Describe(c))))
		for _, pr := range c.Params {
			p.line(fmt.Sprintf("       %s = %q", httpclient.SafeLine(pr.Name), pr.Value))
		}
		if c.Token68 != "" {
			p.line("       token68 " + httpclient.SafeLine(c.Token68))
		}
		for _, l := range session.TokenDetails(c, time.Now()) {
			p.line("       " + httpclient.SafeLine(l))
		}
		for _, l := range session.AboutScheme(c.Scheme) {
			p.line("       " + httpclient.SafeLine(l))
		}
	}
	if i := credentials.Preferred(chs); i >= 0 {
		p.line(fmt.Sprintf("  keyhole would answer #%d (%s), the strongest scheme it supports here", i+1, httpclient.SafeLine(chs[i].Scheme)))
	} else if len(chs) > 0 {
		p.line("  keyhole supports none of these schemes")
	}
	for _, pr := range probs {
		p.line(fmt.Sprintf("  %s at byte %d: %s", pr.Severity, pr.Offset, httpclient.SafeLine(pr.Message)))
	}
}
