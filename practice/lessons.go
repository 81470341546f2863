package practice

// Lesson is one exercise of the practice lab.
type Lesson struct {
	ID          string // stable, e.g. "basic"
	Title       string
	Teaches     string // what the lesson teaches, one or two sentences
	Method      string
	Path        string // request path on the practice server
	Credentials string // what to enter, e.g. "Basic: alice / wonderland"
	Try         string // what to try, including a mistake to make on purpose
	Checks      string // what the server checks
	Goal        Goal   // when the lesson is done
}

// Goal is the outcome that completes a lesson: the final status of a request
// attempt, and optionally a finding code that must have been shown on the way.
type Goal struct {
	Status  int
	Finding string
}

// Lessons returns the lessons in teaching order.
func Lessons() []Lesson {
	return []Lesson{{
		ID: "basic", Title: "Basic authentication",
		Teaches: "A 401 with WWW-Authenticate: Basic asks for a user name and password, sent base64-encoded (not encrypted) in every request.",
		Method:  "GET", Path: "/basic",
		Credentials: "Basic: alice / wonderland",
		Try:         "Send with no credentials, read the challenge, answer it; then retry with a wrong password.",
		Checks:      "The Authorization header decodes to alice:wonderland.",
		Goal:        Goal{Status: 200},
	}, {
		ID: "bearer", Title: "Bearer tokens",
		Teaches: "A Bearer challenge asks for a token; a wrong one comes back with error=\"invalid_token\".",
		Method:  "GET", Path: "/bearer",
		Credentials: "Bearer: practice-token",
		Try:         "Send a wrong token first and read the error, then the right one.",
		Checks:      "Authorization: Bearer practice-token.",
		Goal:        Goal{Status: 200},
	}}
}
