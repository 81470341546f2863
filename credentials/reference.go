package credentials

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// A secret reference names where a secret lives instead of holding it, so a
// profile can be saved without the secret ever touching disk:
//
//	env:NAME     the environment variable NAME
//	file:PATH    the contents of PATH (a leading ~/ is the home folder)
//	cmd:COMMAND  the standard output of `sh -c COMMAND`, e.g. a password manager
//
// Trailing white space (the newline a file or command ends with) is trimmed.

// RefTimeout bounds how long a cmd: reference may run; a variable so tests
// need not wait ten seconds.
var RefTimeout = 10 * time.Second

// IsReference reports whether s is a secret reference rather than a secret.
func IsReference(s string) bool {
	for _, p := range []string{"env:", "file:", "cmd:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// ResolveSecret returns the secret ref points to. Errors name the reference,
// never the secret.
func ResolveSecret(ref string) (string, error) {
	kind, arg, ok := strings.Cut(ref, ":")
	if !ok || !IsReference(ref) {
		return "", errors.New("secret reference must start with env:, file: or cmd: (e.g. env:API_TOKEN)")
	}
	if arg == "" {
		return "", fmt.Errorf("secret reference %q names nothing; write %s:NAME", ref, kind)
	}
	var v string
	switch kind {
	case "env":
		s, set := os.LookupEnv(arg)
		if !set {
			return "", fmt.Errorf("environment variable %s is not set; export it or change the reference", arg)
		}
		v = s
	case "file":
		path := arg
		if rest, ok := strings.CutPrefix(path, "~/"); ok {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("cannot expand ~ in %q: %v", ref, err)
			}
			path = home + string(os.PathSeparator) + rest
		}
		b, err := ReadFileLimit(path, MaxSmallFile)
		if err != nil {
			return "", fmt.Errorf("cannot read the secret file: %v", err)
		}
		v = string(b)
	case "cmd":
		s, err := runSecretCommand(arg)
		if err != nil {
			return "", err
		}
		v = s
	}
	v = strings.TrimRight(v, " \t\r\n")
	if v == "" {
		return "", fmt.Errorf("secret reference %q resolved to an empty value", ref)
	}
	return v, nil
}

func runSecretCommand(command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), RefTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// A command that leaves a child holding the pipes open must not hang keyhole.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("secret command %q did not finish within %s; check that it does not wait for input", command, RefTimeout)
	case err != nil:
		msg := strings.TrimSpace(errOut.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg != "" {
			return "", fmt.Errorf("secret command %q failed (%v): %s", command, err, msg)
		}
		return "", fmt.Errorf("secret command %q failed (%v); run it by hand to see why", command, err)
	}
	return out.String(), nil
}
