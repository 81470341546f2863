package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"keyhole/practice"
)

// README's lab section lists every lesson with its request and steps count.
func TestReadmeListsEveryLesson(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, lab, ok := strings.Cut(string(raw), "## The practice lab")
	if !ok {
		t.Fatal("README has no practice lab section")
	}
	lab, _, _ = strings.Cut(lab, "\n## ")
	for _, l := range practice.Lessons() {
		row := ""
		for _, line := range strings.Split(lab, "\n") {
			if strings.Contains(line, "| `"+l.Method+" "+l.Path+"` |") {
				row = line
			}
		}
		if row == "" {
			t.Errorf("README's lab table lacks lesson %q (%s %s)", l.ID, l.Method, l.Path)
			continue
		}
		if !strings.Contains(row, fmt.Sprintf("` | %d |", len(l.Steps))) {
			t.Errorf("README's row for %q does not say %d steps: %s", l.ID, len(l.Steps), row)
		}
	}
}
