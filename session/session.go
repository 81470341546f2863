// Package session is keyhole's loop: a request draft, the attempts made with it,
// and what each attempt's answer means. The TUI and the headless commands both
// drive it; it knows nothing about terminals.
package session

import (
	"context"
	"sync"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Purposes of an attempt.
const (
	PurposeRequest   = "request"   // the user's request
	PurposeToken     = "token"     // a token endpoint call made to get credentials
	PurposeDiscovery = "discovery" // a metadata fetch
)

// Attempt is one request sent and what came back.
type Attempt struct {
	N        int    // 1-based position in the session
	Purpose  string // PurposeRequest, PurposeToken or PurposeDiscovery
	Auto     string // why keyhole sent this on its own; "" when the user asked
	Scheme   string // scheme of the credentials sent, "" when none
	Started  time.Time
	Exchange *httpclient.Exchange
	Findings []Finding
}

// Status returns the final HTTP status, or 0 when no response came.
func (a *Attempt) Status() int {
	if a.Exchange == nil || a.Exchange.Response == nil {
		return 0
	}
	return a.Exchange.Response.Status
}

// Session holds the draft and every attempt. Its methods are safe to call from
// a command goroutine while a UI reads snapshots.
type Session struct {
	Client *httpclient.Client
	Now    func() time.Time // the local clock; tests pass a fixed one

	mu       sync.Mutex
	draft    httpclient.Request
	attempts []*Attempt
}

// New starts a session on draft.
func New(c *httpclient.Client, draft httpclient.Request) *Session {
	return &Session{Client: c, Now: time.Now, draft: *draft.Clone()}
}

// Draft returns a copy of the request being composed.
func (s *Session) Draft() httpclient.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.draft.Clone()
}

// SetDraft replaces the request being composed.
func (s *Session) SetDraft(r httpclient.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draft = *r.Clone()
}

// Attempts returns a snapshot of the attempts, oldest first.
func (s *Session) Attempts() []*Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Attempt(nil), s.attempts...)
}

// Last returns the newest attempt of the user's request, or nil.
func (s *Session) Last() *Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.attempts) - 1; i >= 0; i-- {
		if s.attempts[i].Purpose == PurposeRequest {
			return s.attempts[i]
		}
	}
	return nil
}

func (s *Session) add(a *Attempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.N = len(s.attempts) + 1
	s.attempts = append(s.attempts, a)
}

// Send sends the draft once with auth (nil for none), answering the matching
// challenge of the last attempt, and returns the attempts it made. An error
// means the credentials could not be applied and nothing was sent.
func (s *Session) Send(ctx context.Context, auth credentials.Authorizer) ([]*Attempt, error) {
	prev := s.Last()
	req := s.Draft()
	r := req.Clone()
	scheme := ""
	if auth != nil {
		ch := answering(prev, auth.Scheme())
		if err := auth.Apply(r, ch); err != nil {
			return nil, err
		}
		scheme = auth.Scheme()
	}
	a := &Attempt{Purpose: PurposeRequest, Scheme: scheme, Started: s.Now()}
	a.Exchange = s.Client.Do(ctx, r)
	a.Findings = Diagnose(Input{Attempt: a, Previous: prev, Now: s.Now()})
	s.add(a)
	return []*Attempt{a}, nil
}

// answering returns the challenge in prev that an authorizer of scheme answers.
func answering(prev *Attempt, scheme string) *httpclient.Challenge {
	if prev == nil || prev.Exchange == nil {
		return nil
	}
	for i, c := range prev.Exchange.Challenges {
		if c.Is(scheme) {
			return &prev.Exchange.Challenges[i]
		}
	}
	return nil
}
