package main

import "testing"

func TestTUIOptionsTLS(t *testing.T) {
	o, err := tuiOptions([]string{"--tls"})
	if err != nil || !o.Practice || !o.PracticeTLS {
		t.Fatalf("keyhole --tls: %+v, %v; want the practice server over https", o, err)
	}
	if _, err := tuiOptions([]string{"--tls", "x"}); err == nil {
		t.Fatal("keyhole --tls x: want a usage error")
	}
}
