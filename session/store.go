package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// FileVersion is the format of saved sessions this keyhole writes and reads.
const FileVersion = 1

// File is a saved session: the draft and the JSON record of every attempt,
// with secrets masked.
type File struct {
	Version  int           `json:"version"`
	Saved    time.Time     `json:"saved"`
	Name     string        `json:"name"`
	Draft    RequestRecord `json:"draft"`
	Final    Final         `json:"final"`
	Attempts []Record      `json:"attempts"`
}

// Entry describes one saved session for a list.
type Entry struct {
	Name       string
	Path       string
	Saved      time.Time
	URL        string
	Attempts   int
	LastStatus int   // status of the final attempt; 0 when none came
	Err        error // the file could not be read; the other fields are partial
}

// Dir returns the folder saved sessions live in: $XDG_DATA_HOME/keyhole/sessions,
// else ~/.local/share/keyhole/sessions; on macOS and Windows, keyhole/sessions
// under the user's configuration folder.
func Dir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "keyhole", "sessions"), nil
	}
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("cannot find a folder for saved sessions: %w", err)
		}
		return filepath.Join(d, "keyhole", "sessions"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a folder for saved sessions: %w; set XDG_DATA_HOME", err)
	}
	return filepath.Join(home, ".local", "share", "keyhole", "sessions"), nil
}

// Save writes s to dir as name.json (name made safe as a file name; empty
// means a name from the time), atomically and readable only by the user. It
// refuses to replace a file that is not a session this keyhole can read, so a
// corrupt or newer file is never lost.
func Save(dir string, s *Session, name string) (string, error) {
	now := time.Now().UTC()
	if s.Now != nil {
		now = s.Now().UTC()
	}
	base := fileName(name)
	if base == "" {
		base = "session-" + now.Format("20060102-150405")
	}
	if name == "" {
		name = base
	}
	path := filepath.Join(dir, base+".json")
	if old, err := credentials.ReadFileLimit(path, MaxFile); err == nil {
		if _, err := parseFile(path, old); err != nil {
			return "", fmt.Errorf("%v; not overwriting it: save under another name or move it away", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cannot read %s before replacing it: %w", path, err)
	}

	attempts := s.Attempts()
	doc := Records(attempts, false)
	draft := s.Draft()
	f := File{
		Version: FileVersion, Saved: now, Name: name,
		Draft: RequestRecord{Method: draft.Method, URL: credentials.RedactURL(draft.URL), Headers: redactHeaders(draft.Header, false)},
		Final: doc.Final, Attempts: doc.Attempts,
	}
	if f.Draft.Headers == nil {
		f.Draft.Headers = map[string][]string{}
	}
	f.Draft.Body, f.Draft.BodyEncoding = encodeBody(RedactBody(draft.Header.Get("Content-Type"), draft.Body))
	// Escaped like keyhole send --json: a saved session is often read with cat.
	var data bytes.Buffer
	if err := WriteJSON(&data, f, true); err != nil {
		return "", fmt.Errorf("cannot encode the session: %w", err)
	}
	if err := writeAtomic(dir, path, data.Bytes()); err != nil {
		return "", err
	}
	return path, nil
}

// writeAtomic writes data next to path and renames it into place, so a crash
// leaves either the old file or the new one, never half of one.
func writeAtomic(dir, path string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the sessions folder %s: %w", dir, err)
	}
	return WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// fileName keeps letters, digits, '.', '-' and '_' of name, so that a session
// name can never climb out of the sessions folder or hide as a dot file.
func fileName(name string) string {
	name = strings.TrimSuffix(strings.TrimSpace(name), ".json")
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), ".-")
}

// MaxFile bounds a saved session keyhole reads: each attempt keeps at most
// the client's body limit (50 MiB), so a bigger file is not one of its own.
const MaxFile = 1 << 30

// summaryHead bounds what List reads of each file: the fields before
// "attempts" (version, saved, name, draft, final).
const summaryHead = 1 << 20

// summarize fills e from the head of the session file at path, never
// reading more than summaryHead bytes of it: listing a folder of big
// sessions must not parse every file whole. Files are written with the
// attempts last; the count of attempts is the final attempt's number.
func summarize(path string, e *Entry) error {
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read session file: %w", err)
	}
	defer fh.Close()
	dec := json.NewDecoder(io.LimitReader(fh, summaryHead))
	var f File
	version := -1
	notJSON := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("session file %s is not valid JSON at byte %d", path, se.Offset)
		}
		return fmt.Errorf("session file %s is not a keyhole session: %v", path, err)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return notJSON(err)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				break // the head limit: what was read so far decides
			}
			return notJSON(err)
		}
		var dst any
		switch t {
		case "version":
			dst = &version
		case "saved":
			dst = &f.Saved
		case "name":
			dst = &f.Name
		case "draft":
			dst = &f.Draft
		case "final":
			dst = &f.Final
		}
		if dst == nil {
			break // "attempts" or anything else: the summary is complete
		}
		if err := dec.Decode(dst); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return fmt.Errorf("session file %s holds more than %d KiB before its attempts; open it to see it", path, summaryHead>>10)
			}
			return fmt.Errorf("session file %s is damaged: %v", path, err)
		}
	}
	switch {
	case version < 1:
		return fmt.Errorf("session file %s is not a keyhole session (no \"version\")", path)
	case version > FileVersion:
		return fmt.Errorf("session file %s was written by a newer keyhole (format %d; this one reads %d)", path, version, FileVersion)
	}
	if f.Name != "" {
		e.Name = f.Name
	}
	e.Saved, e.URL, e.Attempts = f.Saved, f.Draft.URL, f.Final.Attempt
	if f.Final.Status != nil {
		e.LastStatus = *f.Final.Status
	}
	return nil
}

// Load reads a saved session. The attempts come back as they were saved,
// secrets masked; credential headers of the draft that were masked are
// dropped, so the next send asks for them instead of sending the mask.
func Load(path string) (*Session, error) {
	data, err := credentials.ReadFileLimit(path, MaxFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read session file: %w", err)
	}
	f, err := parseFile(path, data)
	if err != nil {
		return nil, err
	}
	return f.Session(path)
}

// Session turns a parsed file into a session; path is only for error messages.
func (f *File) Session(path string) (*Session, error) {
	body, err := decodeBody(f.Draft.Body, f.Draft.BodyEncoding)
	if err != nil {
		return nil, fmt.Errorf("session file %s: draft body: %v", path, err)
	}
	draft := httpclient.Request{Method: f.Draft.Method, URL: f.Draft.URL, Header: canonicalHeader(f.Draft.Headers), Body: body}
	for k, vs := range draft.Header {
		if credentials.IsSecretHeader(k) && len(vs) > 0 && strings.Contains(strings.Join(vs, ","), credentials.Redacted) {
			draft.Header.Del(k)
		}
	}
	attempts := make([]*Attempt, 0, len(f.Attempts))
	for _, r := range f.Attempts {
		a, err := r.Attempt()
		if err != nil {
			return nil, fmt.Errorf("session file %s: %v", path, err)
		}
		attempts = append(attempts, a)
	}
	return Restore(draft, attempts), nil
}

// parseFile decodes and checks a session file, with errors that say where it
// went wrong.
func parseFile(path string, data []byte) (*File, error) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("session file %s is not valid JSON at byte %d", path, se.Offset)
		}
		return nil, fmt.Errorf("session file %s is not a keyhole session: %v", path, err)
	}
	switch {
	case probe.Version == nil:
		return nil, fmt.Errorf("session file %s is not a keyhole session (no \"version\")", path)
	case *probe.Version > FileVersion:
		return nil, fmt.Errorf("session file %s was written by a newer keyhole (format %d; this one reads %d)", path, *probe.Version, FileVersion)
	case *probe.Version < 1:
		return nil, fmt.Errorf("session file %s has an invalid format number %d", path, *probe.Version)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("session file %s has a wrong value for %q at byte %d", path, te.Field, te.Offset)
		}
		return nil, fmt.Errorf("session file %s is damaged: %v", path, err)
	}
	return &f, nil
}

// Restore builds a session from a draft and attempts made earlier (a loaded
// file), numbered in order. It uses a default client; set Client to change it.
func Restore(draft httpclient.Request, attempts []*Attempt) *Session {
	s := New(httpclient.New(httpclient.Options{}), draft)
	for _, a := range attempts {
		s.add(a)
	}
	return s
}

// List describes the saved sessions in dir, most recently saved first. A
// missing folder is an empty list; an unreadable file is listed with Err set.
func List(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot list saved sessions: %w", err)
	}
	var out []Entry
	for _, de := range des {
		n := de.Name()
		if de.IsDir() || !strings.HasSuffix(n, ".json") || strings.HasPrefix(n, ".") {
			continue
		}
		path := filepath.Join(dir, n)
		e := Entry{Name: strings.TrimSuffix(n, ".json"), Path: path}
		err := summarize(path, &e)
		if err != nil {
			e.Err = err
			if info, ierr := de.Info(); ierr == nil {
				e.Saved = info.ModTime()
			}
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Saved.After(out[j].Saved) })
	return out, nil
}
