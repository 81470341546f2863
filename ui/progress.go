package ui

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"

	"keyhole/session"
)

// progress is what the lab remembers across runs: which lessons are done
// and which of their steps have ticked. Lesson IDs and booleans only, never
// anything the user typed.
type progress struct {
	Done  map[string]bool   `json:"done"`
	Steps map[string][]bool `json:"steps"`
}

// progressPath is the lab's state file under the XDG state directory
// ($XDG_STATE_HOME, else ~/.local/state), or "" when there is no home.
func progressPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "keyhole", "lessons.json")
}

// loadProgress reads the state file ("" reads nothing); a missing, unreadable or corrupt one
// is an empty start (the lab works without it), and a file larger than any
// progress could be is not read at all.
func loadProgress(path string) progress {
	p := progress{Done: map[string]bool{}, Steps: map[string][]bool{}}
	if path == "" {
		return p
	}
	f, err := os.Open(path)
	if err != nil {
		return p
	}
	defer f.Close()
	var read progress
	if json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&read) != nil {
		return p
	}
	for id, d := range read.Done {
		p.Done[id] = d
	}
	for id, s := range read.Steps {
		p.Steps[id] = s
	}
	return p
}

// save writes the state file, private to the user, in one rename.
func (p progress) save(path string) error {
	if path == "" {
		return errors.New("no home directory to keep the lessons' progress in")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return session.WriteFile(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(p) })
}
