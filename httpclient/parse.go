package httpclient

import "strings"

// ParseChallenges parses one field value into its challenges (RFC 9110 §11).
// First version: handles the common forms; hardened in a later change.
func ParseChallenges(value string) ([]Challenge, []Problem) {
	var out []Challenge
	var problems []Problem
	for _, part := range splitOutsideQuotes(value) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, rest, hasSpace := strings.Cut(part, " ")
		if eq := strings.IndexByte(name, '='); eq >= 0 || (hasSpace && strings.HasPrefix(strings.TrimSpace(rest), "=")) {
			if len(out) == 0 {
				problems = append(problems, Problem{SeverityError, 0, "parameter with no scheme"})
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			out[len(out)-1].Params = append(out[len(out)-1].Params, param(k, v))
			continue
		}
		c := Challenge{Scheme: name}
		rest = strings.TrimSpace(rest)
		if rest != "" {
			if k, v, ok := strings.Cut(rest, "="); ok && strings.Trim(v, "=") != "" {
				c.Params = append(c.Params, param(k, v))
			} else {
				c.Token68 = rest
			}
		}
		out = append(out, c)
	}
	return out, problems
}

func param(k, v string) Param {
	k = strings.ToLower(strings.TrimSpace(k))
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1])
		return Param{Name: k, Value: v, Quoted: true}
	}
	return Param{Name: k, Value: v}
}

func splitOutsideQuotes(s string) []string {
	var parts []string
	start, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote:
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == ',' && !inQuote:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
