package main

// What keyhole send reads besides its flags: the body named by -d @FILE or
// -d @-, the TLS files of --cert/--key/--cacert, and a password asked for
// on the terminal when -u or -U gives none.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"keyhole/credentials"
)

// readData is -d's body: DATA itself, @- for stdin, @FILE for a file.
func readData(d string, stdin io.Reader) ([]byte, error) {
	name, ok := strings.CutPrefix(d, "@")
	switch {
	case !ok:
		return []byte(d), nil
	case name == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("cannot read the body from stdin: %v; give it with -d DATA or -d @FILE instead", err)
		}
		return b, nil
	default:
		b, err := credentials.ReadFileLimit(name, credentials.MaxDataFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read the body: %v; check the file named by -d @FILE", err)
		}
		return b, nil
	}
}

// clientTLS is the client TLS of --cert, --key, --cacert and -k; nil
// when none is given.
func clientTLS(o *sendOptions) (*tls.Config, error) {
	if o.cert == "" && o.key == "" && o.cacert == "" && !o.insecure {
		return nil, nil
	}
	if o.key != "" && o.cert == "" {
		return nil, errors.New("--key needs --cert, the certificate it belongs to")
	}
	return credentials.ClientTLS(o.cert, o.key, o.cacert, o.insecure)
}

// promptPassword splits USER[:PASSWORD] given to flag, asking for the
// password without echo when it is missing and stdin is a terminal; who
// says whose password it is ("proxy user") when that is not the server's.
func promptPassword(flag, who, v string, stdin io.Reader, stderr io.Writer) (string, string, error) {
	user, pass, ok := strings.Cut(v, ":")
	if ok {
		return user, pass, nil
	}
	f, isFile := stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return "", "", fmt.Errorf("%s %s gives no password and stdin is not a terminal to ask on; write %s %s:PASSWORD or use --profile", flag, user, flag, user)
	}
	if who != "" {
		who += " "
	}
	fmt.Fprintf(stderr, "Password for %s%s: ", who, user)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", "", fmt.Errorf("cannot read the password: %v; give it as %s %s:PASSWORD instead", err, flag, user)
	}
	return user, string(b), nil
}
