package main

import (
	"go/build"
	"maps"
	"slices"
	"strings"
	"testing"
)

// bench/floor stands for what keyhole's first frame cannot do without, so
// it must import exactly what keyhole's own packages import: a package
// keyhole takes up and the floor lacks would make keyhole look slower than
// it is against the floor, and one the floor has that keyhole dropped would
// make it look faster.
func TestBenchFloorImportsWhatKeyholeImports(t *testing.T) {
	want := map[string]bool{}
	seen := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		if seen[dir] {
			return
		}
		seen[dir] = true
		p, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range p.Imports {
			if rest, ok := strings.CutPrefix(imp, "keyhole/"); ok {
				walk(rest)
			} else {
				want[imp] = true
			}
		}
	}
	walk(".")
	floor, err := build.ImportDir("bench/floor", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, imp := range floor.Imports {
		got[imp] = true
	}
	for _, imp := range slices.Sorted(maps.Keys(want)) {
		if !got[imp] {
			t.Errorf("bench/floor does not import %s, which keyhole does", imp)
		}
	}
	for _, imp := range slices.Sorted(maps.Keys(got)) {
		if !want[imp] {
			t.Errorf("bench/floor imports %s, which keyhole does not", imp)
		}
	}
}
