package session

import (
	"time"
)

// Severities of a finding.
const (
	Info    = "info"
	Warning = "warning"
	Error   = "error"
)

// Finding is one thing keyhole concluded from an attempt.
type Finding struct {
	Code     string // stable, e.g. "credentials-rejected"
	Severity string // Info, Warning or Error
	Message  string // one line in plain words
	Next     string // what to try next
}

// Input is everything Diagnose looks at.
type Input struct {
	Attempt  *Attempt
	Previous *Attempt // the previous attempt of the same request, or nil
	Now      time.Time
}

// Diagnose explains an attempt's answer. It is a pure function of its input.
func Diagnose(in Input) []Finding {
	a := in.Attempt
	if a.Exchange == nil || a.Exchange.Response == nil {
		return nil
	}
	var out []Finding
	switch a.Exchange.Response.Status {
	case 401, 407:
		if a.Scheme == "" {
			out = append(out, Finding{"missing-credentials", Error,
				"The server wants credentials and this request sent none.",
				"Pick the scheme it offers and enter credentials."})
		} else {
			out = append(out, Finding{"credentials-rejected", Error,
				"The server refused the " + a.Scheme + " credentials that were sent.",
				"Check the user name, password or token and retry."})
		}
	}
	return out
}
