package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"keyhole/practice"
)

func cmdPractice(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keyhole practice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8401", "address to listen on (loopback only unless --public)")
	public := fs.Bool("public", false, "allow a non-loopback address; the practice credentials are public")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	srv, err := practice.Start(practice.Options{Addr: *addr, Public: *public})
	if err != nil {
		fmt.Fprintln(stderr, "keyhole:", err)
		return exitUsage
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "practice server on %s\n", srv.URL)
	fmt.Fprintf(stdout, "  GET %s/basic   Basic  %s / %s\n", srv.URL, practice.User, practice.Password)
	fmt.Fprintf(stdout, "  GET %s/bearer  Bearer %s\n", srv.URL, practice.Token)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
	return exitOK
}
