package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestTUIOptionsTLS(t *testing.T) {
	o, err := tuiOptions([]string{"--tls"})
	if err != nil || !o.Practice || !o.PracticeTLS {
		t.Fatalf("keyhole --tls: %+v, %v; want the practice server over https", o, err)
	}
	if _, err := tuiOptions([]string{"--tls", "x"}); err == nil {
		t.Fatal("keyhole --tls x: want a usage error")
	}
}

// opensTUI skips building the command line only for arguments no command
// name can be: nothing, or one URL or .http/.rest file.
func TestOpensTUIOnlyForAURLOrAFile(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"http://127.0.0.1:8401/basic"}, true},
		{[]string{"api.http"}, true},
		{[]string{"dir/api.REST"}, true},
		{[]string{"--tls"}, false},
		{[]string{"--curl", "curl http://127.0.0.1/"}, false},
		{[]string{"http://127.0.0.1/", "extra"}, false},
		{[]string{"-h"}, false},
		{[]string{"127.0.0.1:8401"}, false},
	} {
		if got := opensTUI(c.args); got != c.want {
			t.Errorf("opensTUI(%q) = %v, want %v", c.args, got, c.want)
		}
	}
	code := 0
	for _, cmd := range newCLI(nil, nil, nil, nil, &code).Commands() {
		for _, name := range append([]string{cmd.Name()}, cmd.Aliases...) {
			if opensTUI([]string{name}) {
				t.Errorf("opensTUI(%q) = true: the command would open the TUI", name)
			}
		}
	}
}

// The short way to the TUI says what the command line says for the same
// arguments.
func TestOpensTUIErrorsAsTheCommandLineDoes(t *testing.T) {
	args := []string{filepath.Join(t.TempDir(), "missing.http")}
	var short, long bytes.Buffer
	got := run(args, strings.NewReader(""), &short, &short)
	code := exitOK
	if _, err := newCLI(args, strings.NewReader(""), &long, &long, &code).ExecuteC(); err != nil {
		t.Fatal(err)
	}
	if got != code || short.String() != long.String() {
		t.Fatalf("run: %d %q; the command line: %d %q", got, short.String(), code, long.String())
	}
	if got != exitUsage || !strings.Contains(short.String(), "cannot open the request file") {
		t.Fatalf("run(%q) = %d %q, want a usage error naming the file", args, got, short.String())
	}
}
