package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"keyhole/practice"
)

const practiceUsage = `Usage: keyhole practice [flags]

Runs the practice server in the foreground: loopback endpoints, one per
scheme and per failure, each the subject of a lesson. The credentials it
prints are public. Stop it with ctrl+c.

Examples:
  keyhole practice
  keyhole practice --addr 127.0.0.1:0 --proxy-addr 127.0.0.1:8402
  keyhole practice --token-ttl 10s
  keyhole practice --tls --addr 127.0.0.1:8443
  curl -u alice:wonderland http://127.0.0.1:8401/basic
  curl -x http://127.0.0.1:8402 -U alice:wonderland http://127.0.0.1:8401/proxy
  keyhole send -u alice:wonderland http://127.0.0.1:8401/digest

Flags:
`

// practiceOptions are the flags of 'keyhole practice'.
type practiceOptions struct {
	addr, proxyAddr string
	public, tls     bool
	tokenTTL        time.Duration
}

func practiceFlags(o *practiceOptions) *flagSet {
	*o = practiceOptions{addr: "127.0.0.1:8401", tokenTTL: practice.DefaultTokenTTL}
	fs := newFlagSet("keyhole practice")
	fs.String(&o.addr, "addr", "", "ADDR", "listen address (default 127.0.0.1:8401; 127.0.0.1:0 picks a free port)")
	fs.Bool(&o.public, "public", "", "allow an address that is not loopback (prints a warning)")
	fs.String(&o.proxyAddr, "proxy-addr", "", "ADDR", "also run the forward proxy there (Proxy-Authorization alice / wonderland; forwards to loopback only)")
	fs.Bool(&o.tls, "tls", "", "serve https with a fresh CA and enable /mtls; prints where the CA and the client certificate and key were written")
	fs.Func("token-ttl", "", "DURATION", "how long the practice OAuth server's access tokens live (default 60s; at least 1s); short lives make expiry and refresh easy to watch", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("wants a duration such as 10s or 1m, not %q", v)
		}
		if d < time.Second {
			return fmt.Errorf("%v is too short; tokens carry whole seconds, use 1s or more", d)
		}
		o.tokenTTL = d
		return nil
	})
	return fs
}

// cmdPractice runs the practice server until interrupted.
func cmdPractice(o practiceOptions, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "keyhole practice: unexpected arguments %q; see keyhole practice --help\n", args)
		return exitUsage
	}
	srv, err := practice.Start(practice.Options{Addr: o.addr, Public: o.public, ProxyAddr: o.proxyAddr, TLS: o.tls})
	if err != nil {
		fmt.Fprintln(stderr, "keyhole:", err)
		return exitUsage
	}
	defer srv.Close()
	srv.SetTokenTTL(o.tokenTTL)
	// Registered before the address is printed, so a signal sent by whoever
	// read that line is never missed.
	// SIGHUP too: a closed terminal must not leave the CA folder behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	if o.public {
		fmt.Fprintf(stderr, "keyhole practice: warning: listening on %s, which may not be loopback; the practice credentials are public and anyone who reaches it can use them\n", o.addr)
	}
	fmt.Fprintf(stdout, "practice server on %s\n", srv.URL)
	if srv.Proxy != nil {
		fmt.Fprintf(stdout, "forward proxy on %s (Proxy-Authorization: Basic %s / %s; loopback destinations only)\n",
			srv.Proxy.URL, practice.User, practice.Password)
	}
	if srv.TLSDir != "" {
		d := srv.TLSDir
		fmt.Fprintf(stdout, "TLS material in %s (removed on exit): ca.pem, client.pem, client-key.pem\n", d)
		fmt.Fprintf(stdout, "  keyhole send --cacert %s/ca.pem --cert %s/client.pem --key %s/client-key.pem %s/mtls\n", d, d, d, srv.URL)
	}
	printEndpoints(stdout, srv)
	fmt.Fprintln(stdout, "ctrl+c stops it.")

	<-ctx.Done()
	return exitOK
}

// printEndpoints lists what the server offers, one line each, in columns.
func printEndpoints(w io.Writer, srv *practice.Server) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range srv.Endpoints() {
		creds := e.Credentials
		if creds == "" {
			creds = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s%s\t%s\t%s\n", e.Method, srv.URL, e.Path, e.Scheme, creds)
	}
	tw.Flush()
}
