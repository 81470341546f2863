package practice

import "net/http"

// oauthRoutes registers the practice authorization server.
func (s *Server) oauthRoutes(mux *http.ServeMux) {}

func (s *Server) oauthEndpoints() []Endpoint { return nil }
