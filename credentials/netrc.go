package credentials

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// NetrcPath returns the netrc file curl would read: $NETRC when set, else
// ~/.netrc.
func NetrcPath() string {
	if p := os.Getenv("NETRC"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".netrc")
}

// NetrcLookup returns the login and password for host (a port is ignored, as
// curl does) from the netrc file at path: the first "machine" entry naming the
// host, else the "default" entry. A missing file is not an error: ok is false.
func NetrcLookup(path, host string) (Basic, bool, error) {
	data, err := ReadFileLimit(path, MaxSmallFile)
	if errors.Is(err, fs.ErrNotExist) {
		return Basic{}, false, nil
	}
	if err != nil {
		return Basic{}, false, fmt.Errorf("netrc: cannot read %s: %w", path, err)
	}
	entries, err := parseNetrc(string(data))
	if err != nil {
		return Basic{}, false, fmt.Errorf("netrc: %s: %w", path, err)
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	var def *netrcEntry
	for i, e := range entries {
		switch {
		case e.isDefault && def == nil:
			def = &entries[i]
		case !e.isDefault && strings.EqualFold(e.machine, host):
			return Basic{User: e.login, Password: e.password}, true, nil
		}
	}
	if def != nil {
		return Basic{User: def.login, Password: def.password}, true, nil
	}
	return Basic{}, false, nil
}

// NetrcWarning returns a warning when the netrc file at path can be read by
// other users, as the file holds passwords in plain text; "" when it is private
// or absent.
func NetrcWarning(path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("netrc: %s can be read by other users (mode %04o) and holds passwords; run chmod 600 %s", path, fi.Mode().Perm(), path)
}

type netrcEntry struct {
	machine         string
	isDefault       bool
	login, password string
}

// parseNetrc reads the tokens of a netrc file: machine, default, login,
// password, account (ignored) and macdef (skipped up to the next blank line).
// Values may be double-quoted with \" \\ \n \r \t escapes, as curl accepts.
func parseNetrc(s string) ([]netrcEntry, error) {
	var out []netrcEntry
	lx := netrcLexer{s: s, line: 1}
	for {
		tok, ok, err := lx.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		value := func() (string, error) {
			v, ok, err := lx.next()
			if err == nil && !ok {
				err = fmt.Errorf("line %d: %q needs a value", lx.line, tok)
			}
			return v, err
		}
		switch tok {
		case "machine":
			name, err := value()
			if err != nil {
				return nil, err
			}
			out = append(out, netrcEntry{machine: name})
		case "default":
			out = append(out, netrcEntry{isDefault: true})
		case "login", "password", "account":
			v, err := value()
			if err != nil {
				return nil, err
			}
			if len(out) == 0 {
				return nil, fmt.Errorf("line %d: %q comes before any machine or default entry", lx.line, tok)
			}
			e := &out[len(out)-1]
			switch tok {
			case "login":
				e.login = v
			case "password":
				e.password = v
			}
		case "macdef":
			if _, err := value(); err != nil {
				return nil, err
			}
			lx.skipMacro()
		default:
			return nil, fmt.Errorf("line %d: unknown keyword %q; expected machine, default, login, password, account or macdef", lx.line, tok)
		}
	}
}

type netrcLexer struct {
	s    string
	i    int
	line int
}

func (lx *netrcLexer) next() (string, bool, error) {
	for lx.i < len(lx.s) {
		c := lx.s[lx.i]
		switch {
		case c == '\n':
			lx.line++
			lx.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			lx.i++
		case c == '#':
			// A comment runs to the end of the line.
			for lx.i < len(lx.s) && lx.s[lx.i] != '\n' {
				lx.i++
			}
		default:
			if c == '"' {
				return lx.quoted()
			}
			start := lx.i
			for lx.i < len(lx.s) && !strings.ContainsRune(" \t\r\n\f", rune(lx.s[lx.i])) {
				lx.i++
			}
			return lx.s[start:lx.i], true, nil
		}
	}
	return "", false, nil
}

func (lx *netrcLexer) quoted() (string, bool, error) {
	start := lx.line
	var b strings.Builder
	for lx.i++; lx.i < len(lx.s); lx.i++ {
		c := lx.s[lx.i]
		switch {
		case c == '"':
			lx.i++
			return b.String(), true, nil
		case c == '\n':
			return "", false, fmt.Errorf("line %d: a quoted value runs past the end of the line; close the quote", start)
		case c == '\\' && lx.i+1 < len(lx.s):
			lx.i++
			switch e := lx.s[lx.i]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", false, fmt.Errorf("line %d: a quoted value is never closed; add the closing \"", start)
}

// skipMacro skips a macdef body, which ends at the first empty line.
func (lx *netrcLexer) skipMacro() {
	for lx.i < len(lx.s) && lx.s[lx.i] != '\n' {
		lx.i++
	}
	for lx.i < len(lx.s) {
		end := strings.IndexByte(lx.s[lx.i+1:], '\n')
		lx.line++
		if end < 0 {
			lx.i = len(lx.s)
			return
		}
		lineText := lx.s[lx.i+1 : lx.i+1+end]
		lx.i += 1 + end
		if strings.TrimRight(lineText, "\r") == "" {
			return
		}
	}
}
