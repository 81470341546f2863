package practice

import "net/http"

// A lesson can come from its scheme's own file: Register adds it with its
// handler, so a new scheme's lesson touches no file of the lab but its own.
type registered struct {
	lesson   Lesson
	handler  func(s *Server) http.Handler
	endpoint Endpoint
}

var lessonsAdded []registered

// Register adds lesson l, served at l.Path by handler(s) on each Server and
// listed by keyhole practice as e. Its Ticks and Play are set in l (the
// built-in lessons keep theirs in ticks.go). Call it from an init function.
func Register(l Lesson, handler func(s *Server) http.Handler, e Endpoint) {
	lessonsAdded = append(lessonsAdded, registered{l, handler, e})
}

// addedLessons are the registered lessons, after the built-in ones.
func addedLessons() []Lesson {
	out := make([]Lesson, len(lessonsAdded))
	for i, r := range lessonsAdded {
		out[i] = r.lesson
	}
	return out
}

func (s *Server) addedRoutes(mux *http.ServeMux) {
	for _, r := range lessonsAdded {
		mux.Handle(r.lesson.Path, r.handler(s))
	}
}

func (s *Server) addedEndpoints() []Endpoint {
	out := make([]Endpoint, len(lessonsAdded))
	for i, r := range lessonsAdded {
		out[i] = r.endpoint
	}
	return out
}
