package main

import "io"

func cmdExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) int { return exitUsage }
