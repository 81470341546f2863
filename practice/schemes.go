package practice

import "net/http"

// schemeRoutes registers Digest, API keys, registry tokens and mTLS endpoints.
func (s *Server) schemeRoutes(mux *http.ServeMux) {}

func (s *Server) schemeEndpoints() []Endpoint { return nil }
