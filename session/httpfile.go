package session

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"keyhole/httpclient"
)

// NamedRequest is one request of an .http file.
type NamedRequest struct {
	Name       string // from "### name" or "# @name name"; "" when unnamed
	Line       int    // 1-based line of the request line
	Request    httpclient.Request
	Unresolved []string // {{variables}} with no definition in the file, left as written
}

var (
	httpVarDef   = lazyRegexp(`^@([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$`)
	httpNameDir  = lazyRegexp(`^(?:#|//)\s*@name\s*[= ]\s*(\S.*)$`)
	httpVarUse   = lazyRegexp(`\{\{\s*([^{}]+?)\s*\}\}`)
	httpVersion  = lazyRegexp(`^HTTP/\d(\.\d)?$`)
	httpMethodRe = lazyRegexp(`^[A-Z]+$`)
)

// ParseHTTPFile reads the .http format of JetBrains' HTTP client and VS Code's
// REST Client: requests separated by "###" lines (the rest of the line names
// the request, as does "# @name x"), file variables "@name = value" used as
// {{name}}, a request line "METHOD URL [HTTP/1.1]" (or just a URL for GET),
// query lines continuing the URL ("?a=1", "&b=2"), headers, a blank line and
// the body. Lines starting with # or // before the request line are comments.
// Dynamic variables ({{$guid}}), environments and response references stay as
// written and are listed in Unresolved.
func ParseHTTPFile(r io.Reader) ([]NamedRequest, error) {
	type block struct {
		name  string
		start int
		lines []string
	}
	var blocks []block
	cur := block{start: 1}
	vars := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if strings.HasPrefix(line, "###") {
			blocks = append(blocks, cur)
			cur = block{name: strings.TrimSpace(strings.TrimLeft(line, "#")), start: n + 1}
			continue
		}
		cur.lines = append(cur.lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf(".http file: line %d: %v", n+1, err)
	}
	blocks = append(blocks, cur)

	// Variables are file-wide in both tools, wherever they are defined; only
	// those outside a request's headers and body count.
	type parsed struct {
		NamedRequest
		raw  []string // request line, continuation lines, headers
		body []string
	}
	var out []parsed
	for _, b := range blocks {
		p := parsed{NamedRequest: NamedRequest{Name: b.name}}
		state := 0 // 0 before the request line, 1 in the headers, 2 in the body
		for i, line := range b.lines {
			ln := b.start + i
			t := strings.TrimSpace(line)
			switch state {
			case 0:
				if m := httpNameDir().FindStringSubmatch(t); m != nil {
					p.Name = strings.TrimSpace(m[1])
					continue
				}
				if m := httpVarDef().FindStringSubmatch(t); m != nil {
					vars[m[1]] = strings.TrimSpace(m[2])
					continue
				}
				if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
					continue
				}
				p.Line = ln
				p.raw = append(p.raw, t)
				state = 1
			case 1:
				if t == "" {
					state = 2
					continue
				}
				if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
					continue
				}
				if len(p.raw) > 0 && (strings.HasPrefix(t, "?") || strings.HasPrefix(t, "&")) && !strings.Contains(t, ":") {
					p.raw[0] += t
					continue
				}
				if !strings.Contains(t, ":") {
					return nil, fmt.Errorf(".http file: line %d: %q is not a header (Name: value); put a blank line before the body", ln, t)
				}
				p.raw = append(p.raw, t)
			case 2:
				p.body = append(p.body, line)
			}
		}
		if state == 0 {
			continue // only comments or variables
		}
		out = append(out, p)
	}

	result := make([]NamedRequest, 0, len(out))
	for _, p := range out {
		unresolved := map[string]bool{}
		sub := func(s string) string {
			return substitute(s, vars, unresolved, 0)
		}
		fields := strings.Fields(sub(p.raw[0]))
		req := httpclient.Request{Header: http.Header{}}
		switch {
		case len(fields) == 1:
			req.Method, req.URL = http.MethodGet, fields[0]
		case len(fields) == 2 && httpVersion().MatchString(fields[1]):
			req.Method, req.URL = http.MethodGet, fields[0]
		case len(fields) == 2 || len(fields) == 3 && httpVersion().MatchString(fields[2]):
			if !httpMethodRe().MatchString(fields[0]) {
				return nil, fmt.Errorf(".http file: line %d: %q is not a method; write the request line as METHOD URL", p.Line, fields[0])
			}
			req.Method, req.URL = fields[0], fields[1]
		default:
			return nil, fmt.Errorf(".http file: line %d: the request line %q should be METHOD URL [HTTP/1.1]", p.Line, p.raw[0])
		}
		if _, err := url.Parse(req.URL); err != nil {
			return nil, fmt.Errorf(".http file: line %d: the URL %q is not valid: %v", p.Line, req.URL, err)
		}
		for _, h := range p.raw[1:] {
			k, v, _ := strings.Cut(sub(h), ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if strings.EqualFold(k, "Authorization") {
				v = basicShorthand(v)
			}
			req.Header.Add(k, v)
		}
		// Trailing blank lines separate requests; they are not body.
		body := p.body
		for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
			body = body[:len(body)-1]
		}
		if len(body) > 0 {
			req.Body = []byte(sub(strings.Join(body, "\n")))
		}
		nr := p.NamedRequest
		nr.Request = req
		for name := range unresolved {
			nr.Unresolved = append(nr.Unresolved, name)
		}
		slices.Sort(nr.Unresolved)
		result = append(result, nr)
	}
	return result, nil
}

// basicShorthand encodes REST Client's shorthand for Basic credentials,
// "Basic user:password" or "Basic user password" (the first space parts them), as REST Client does before
// sending it; a value already in base64 (token68 never holds ':' or a space)
// is left as written.
func basicShorthand(v string) string {
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return v
	}
	rest = strings.TrimSpace(rest)
	if strings.Contains(rest, "{{") {
		return v // an unresolved variable: sent as written, and listed
	}
	userPass := ""
	switch {
	case strings.Contains(rest, " "):
		user, pass, _ := strings.Cut(rest, " ")
		userPass = user + ":" + strings.TrimSpace(pass)
	case strings.Contains(rest, ":"):
		userPass = rest
	default:
		return v
	}
	return scheme + " " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

// substitute replaces {{name}} with file variables, which may refer to each
// other; the depth bound stops a variable that refers to itself.
func substitute(s string, vars map[string]string, unresolved map[string]bool, depth int) string {
	return httpVarUse().ReplaceAllStringFunc(s, func(m string) string {
		name := httpVarUse().FindStringSubmatch(m)[1]
		v, ok := vars[name]
		if !ok || depth >= 10 {
			unresolved[name] = true
			return m
		}
		return substitute(v, vars, unresolved, depth+1)
	})
}
