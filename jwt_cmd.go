package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

const jwtUsage = `keyhole jwt decodes a JSON Web Token and explains it, without verifying it.

Usage:
  keyhole jwt [--json] [--at TIME] TOKEN
  keyhole jwt [--json] [--at TIME] -        read the token from standard input

It shows the header and the claims, exp/nbf/iat as times and as "expires in
3m" / "expired 2m ago", and warns about alg "none", a missing exp, and nbf or
iat in the future (clock skew). A leading "Bearer " is ignored.

Exit status: 0 the token looks valid at that time; 1 it is expired or not yet
valid; 2 usage error or not a decodable JWT.

Examples:
  keyhole jwt eyJhbGciOi...
  pbpaste | keyhole jwt -
  keyhole jwt --json --at 2026-01-02T15:04:05Z "$TOKEN" | jq .times

Flags:
`

// maxTokenInput bounds what is read from standard input: real tokens are a
// few kilobytes; a megabyte is already absurd.
const maxTokenInput = 1 << 20

// jwtTime is one time claim in --json output.
type jwtTime struct {
	Claim    string `json:"claim"`
	Time     string `json:"time"`
	Relative string `json:"relative"`
}

// jwtReport is the stable shape of keyhole jwt --json.
type jwtReport struct {
	Header   map[string]any `json:"header"`
	Claims   map[string]any `json:"claims"`
	Times    []jwtTime      `json:"times"`
	Warnings []string       `json:"warnings"`
}

// jwtOptions are the flags of 'keyhole jwt'.
type jwtOptions struct {
	json bool
	at   time.Time // zero: now
}

func jwtFlags(o *jwtOptions) *flagSet {
	fs := newFlagSet("keyhole jwt")
	fs.Bool(&o.json, "json", "", `one JSON document: {"header":{},"claims":{},"times":[],"warnings":[]}`)
	fs.Func("at", "", "TIME", "judge the token at TIME (RFC 3339, e.g. 2026-01-02T15:04:05Z), not now", func(v string) error {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fmt.Errorf("%s is not an RFC 3339 time; write it like 2026-01-02T15:04:05Z", httpclient.SafeLine(v))
		}
		o.at = t
		return nil
	})
	return fs
}

// cmdJWT runs 'keyhole jwt' on the token in args, or on stdin for "-".
func cmdJWT(o jwtOptions, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	asJSON, at := o.json, o.at
	if at.IsZero() {
		at = time.Now()
	}
	switch len(args) {
	case 0:
		fmt.Fprintln(stderr, "keyhole jwt: give a token, or - to read it from standard input; see keyhole jwt --help")
		return exitUsage
	case 1:
	default:
		fmt.Fprintln(stderr, "keyhole jwt: give one token; see keyhole jwt --help")
		return exitUsage
	}
	token := args[0]
	if token == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, maxTokenInput+1))
		if err != nil {
			fmt.Fprintf(stderr, "keyhole jwt: cannot read standard input: %v\n", err)
			return exitUsage
		}
		if len(b) > maxTokenInput {
			fmt.Fprintln(stderr, "keyhole jwt: standard input is over 1 MiB; that is not a token")
			return exitUsage
		}
		token = string(b)
	}
	token = strings.TrimSpace(token)
	if scheme, rest, ok := strings.Cut(token, " "); ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "DPoP")) {
		token = strings.TrimSpace(rest)
	}
	j, err := credentials.ParseJWT(token)
	if err != nil {
		fmt.Fprintf(stderr, "keyhole jwt: not a decodable JWT (%s); paste the three dot-separated parts, header.claims.signature\n", httpclient.SafeLine(err.Error()))
		return exitUsage
	}
	code := exitOK
	if j.ValidAt(at) != nil {
		code = exitNoAnswer // the token would be refused at that time
	}
	rep := jwtReport{Header: j.Header, Claims: j.Claims, Times: []jwtTime{}, Warnings: j.Warnings(at)}
	if rep.Warnings == nil {
		rep.Warnings = []string{}
	}
	for _, tc := range j.Times(at, time.Time{}) {
		rep.Times = append(rep.Times, jwtTime{Claim: tc.Claim, Time: tc.Time.UTC().Format(time.RFC3339), Relative: tc.Local})
	}
	if asJSON {
		// The token's strings reach the terminal inside JSON strings:
		// WriteJSON escapes the controls, bidi and invisible runes there.
		if err := session.WriteJSON(stdout, rep, true); err != nil {
			fmt.Fprintf(stderr, "keyhole jwt: cannot encode the token as JSON: %v\n", err)
			return exitUsage
		}
		return code
	}
	var b strings.Builder
	fmt.Fprintln(&b, "header:")
	writeFields(&b, j.Header)
	fmt.Fprintln(&b, "claims:")
	writeFields(&b, j.Claims)
	if len(rep.Times) > 0 {
		fmt.Fprintf(&b, "times (at %s):\n", at.UTC().Format(time.RFC3339))
		for _, t := range rep.Times {
			fmt.Fprintf(&b, "  %-4s %s  %s\n", t.Claim, t.Time, t.Relative)
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintln(&b, "warnings:")
		for _, w := range rep.Warnings {
			fmt.Fprintf(&b, "  ! %s\n", httpclient.SafeLine(w))
		}
	}
	fmt.Fprintln(&b, "signature: not verified (keyhole reads tokens to explain them, it does not trust them)")
	fmt.Fprint(stdout, b.String())
	return code
}

// writeFields prints a JSON object's members sorted by name, each value as
// JSON unless it is a plain string; everything came from the token, so
// everything is made safe for the terminal.
func writeFields(b *strings.Builder, m map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v, ok := m[k].(string)
		if !ok {
			raw, _ := json.Marshal(m[k])
			v = string(raw)
		}
		fmt.Fprintf(b, "  %s: %s\n", httpclient.SafeLine(k), httpclient.SafeLine(v))
	}
}
