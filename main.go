// Command keyhole debugs HTTP authentication by hand: send a request, read the
// challenge, answer it, retry, and see why each attempt failed.
package main

import (
	"fmt"
	"io"
	"os"

	"keyhole/ui"
)

var version = "0.1.0-dev"

// Exit statuses shared by every command.
const (
	exitOK        = 0
	exitNoAnswer  = 1 // no response came
	exitUsage     = 2
	exitForbidden = 3
	exitAuth      = 4 // 401 or 407
	exitHTTPError = 5
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "practice":
			return cmdPractice(args[1:], stdout, stderr)
		case "--version", "version":
			fmt.Fprintln(stdout, "keyhole", version)
			return exitOK
		case "-h", "--help", "help":
			fmt.Fprint(stdout, usage)
			return exitOK
		}
	}
	o := ui.Options{Practice: true}
	if len(args) == 1 {
		o.URL = args[0]
		o.Practice = false
	} else if len(args) > 1 {
		fmt.Fprintf(stderr, "keyhole: unexpected arguments %q; see keyhole --help\n", args[1:])
		return exitUsage
	}
	if err := ui.Run(o); err != nil {
		fmt.Fprintln(stderr, "keyhole:", err)
		return exitNoAnswer
	}
	return exitOK
}

const usage = `keyhole debugs HTTP authentication by hand.

Usage:
  keyhole                 open the TUI on the built-in practice server
  keyhole URL             open the TUI with URL ready to send
  keyhole practice        run the practice server in the foreground
  keyhole --version       print the version

Run 'keyhole COMMAND --help' for a command's flags and examples.
`
