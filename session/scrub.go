package session

import "keyhole/httpclient"

// scrubRecord hides every secret value this process sent wherever a server
// echoed it in r (its reason phrase, a header, the body, an
// error_description quoted in a finding, a challenge parameter), so that
// --json, HAR and saved sessions hold none in clear: httpclient.Scrub.
func scrubRecord(r *Record) {
	s := httpclient.Scrub
	r.Request.URL = s(r.Request.URL)
	scrubHeader(r.Request.Headers)
	if r.Request.BodyEncoding == "" {
		r.Request.Body = s(r.Request.Body)
	}
	if rr := r.Response; rr != nil {
		rr.StatusText, rr.URL = s(rr.StatusText), s(rr.URL)
		scrubHeader(rr.Headers)
		if rr.BodyEncoding == "" {
			rr.Body = s(rr.Body)
		}
	}
	if r.Error != nil {
		e := s(*r.Error)
		r.Error = &e
	}
	r.Auto, r.Note = s(r.Auto), s(r.Note)
	for i := range r.Redirects {
		r.Redirects[i].From, r.Redirects[i].To = s(r.Redirects[i].From), s(r.Redirects[i].To)
	}
	for i := range r.Challenges {
		ps := make(Params, len(r.Challenges[i].Params))
		for j, p := range r.Challenges[i].Params {
			ps[j] = httpclient.Param{Name: p.Name, Value: s(p.Value)}
		}
		r.Challenges[i].Params = ps
		r.Challenges[i].Token68 = s(r.Challenges[i].Token68)
	}
	for i := range r.Problems {
		r.Problems[i].Message = s(r.Problems[i].Message)
	}
	for i := range r.Findings {
		r.Findings[i].Message, r.Findings[i].Next = s(r.Findings[i].Message), s(r.Findings[i].Next)
	}
}

func scrubHeader(h map[string][]string) {
	for k, vs := range h {
		for i, v := range vs {
			vs[i] = httpclient.Scrub(v)
		}
		h[k] = vs
	}
}
