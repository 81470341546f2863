package practice

import "net/http"

// labRoutes registers the failure-mode endpoints.
func (s *Server) labRoutes(mux *http.ServeMux) {}

func (s *Server) labEndpoints() []Endpoint { return nil }
