package data

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/maillage/maillage/data/people"
)

func TestLoadCNFSStructuresRealData(t *testing.T) {
	terr := peopleTerritory(t)
	path := filepath.Join(peopleDataDir(t), CNFSStructuresFile)
	ss, rep, err := LoadCNFSStructures(path, terr)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d, loaded %d, by commune %d, codes mapped %d, commune mismatch %d, rejects %+v",
		rep.Read, rep.Loaded, rep.LocatedByCommune, rep.CodesMapped, rep.CommuneMismatch, rep.Rejects)

	// Raw file, read independently: every structure is placed or reported.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var elems []struct {
		ID       json.Number `json:"id"`
		NbCNFS   int         `json:"nb_cnfs"`
		Lat      *float64    `json:"latitude"`
		InseeCom *string     `json:"insee_com"`
	}
	if err := json.Unmarshal(raw, &elems); err != nil {
		t.Fatal(err)
	}
	if rep.Read != 1450 || len(elems) != 1450 {
		t.Fatalf("read %d (raw %d), want 1,450", rep.Read, len(elems))
	}
	if rep.Loaded+len(rep.Rejects) != rep.Read || len(ss) != rep.Loaded {
		t.Fatalf("loaded %d + rejected %d != read %d (returned %d)", rep.Loaded, len(rep.Rejects), rep.Read, len(ss))
	}
	posts := map[string]int{}
	noCoords := 0
	for _, e := range elems {
		posts[e.ID.String()] = e.NbCNFS
		if e.Lat == nil {
			noCoords++
		}
	}
	sum := 0
	byID := map[string]bool{}
	for _, s := range ss {
		sum += s.Posts
		byID[s.ID] = true
		if s.Posts != posts[s.ID] {
			t.Errorf("structure %s: posts %d, raw nb_cnfs %d", s.ID, s.Posts, posts[s.ID])
		}
	}
	for _, r := range rep.Rejects {
		if byID[r.ID] {
			t.Errorf("structure %s both loaded and rejected", r.ID)
		}
		byID[r.ID] = true
		sum += posts[r.ID]
	}
	if len(byID) != 1450 {
		t.Errorf("%d distinct ids placed or reported, want 1,450", len(byID))
	}
	if sum != 2138 {
		t.Errorf("posts over placed + rejected = %d, want 2,138", sum)
	}
	loaded := map[string]people.Structure{}
	for _, s := range ss {
		loaded[s.ID] = s
	}
	// The 12 without coordinates all have a commune: placed at its point.
	noCoordsPlaced := 0
	for _, e := range elems {
		if s, ok := loaded[e.ID.String()]; ok && e.Lat == nil && s.LocatedBy == people.LocatedByCommune {
			noCoordsPlaced++
		}
	}
	if noCoords != 12 || noCoordsPlaced != 12 {
		t.Errorf("%d without coordinates, %d placed at their commune; want 12 and 12", noCoords, noCoordsPlaced)
	}
	// Only structures without a commune code may be rejected.
	for _, e := range elems {
		if _, ok := loaded[e.ID.String()]; !ok && e.InseeCom != nil {
			t.Errorf("structure %s with commune %s rejected", e.ID, *e.InseeCom)
		}
	}
	relocated := 0
	for _, s := range ss {
		switch {
		case s.LocatedBy == people.LocatedByCommune:
			c, ok := terr.Commune(s.Commune)
			if !ok || s.Point != c.Rep {
				t.Errorf("structure %s located by commune %s at %v, not its representative point", s.ID, s.Commune, s.Point)
			}
			if s.Attrs["relocated_from"] != "" {
				relocated++
			}
		case s.Commune != "":
			// A declared commune may not hold the point (counted), but the
			// point stays within 10 km of its bounding box.
			c, _ := terr.Commune(s.Commune)
			if d := distanceToBoundM(s.Point, c.Bound); d > cnfsRelocateM {
				t.Errorf("structure %s at %v is %.0f km from its commune %s", s.ID, s.Point, d/1000, s.Commune)
			}
		}
		if s.Departement == "" || s.Type == "" || s.Name == "" {
			t.Errorf("structure %s lacks département, type or name: %+v", s.ID, s)
		}
	}
	if relocated+noCoords != rep.LocatedByCommune {
		t.Errorf("located by commune %d != %d relocated + %d without coordinates", rep.LocatedByCommune, relocated, noCoords)
	}
}

// TestCNFSStructuresRejectElements: rejects give the 1-based element of
// the array (element 7 is the one with id 7 in the real file).
func TestCNFSStructuresRejectElements(t *testing.T) {
	terr := peopleTerritory(t)
	_, rep, err := LoadCNFSStructures(filepath.Join(peopleDataDir(t), CNFSStructuresFile), terr)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(peopleDataDir(t), CNFSStructuresFile))
	if err != nil {
		t.Fatal(err)
	}
	var elems []struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(raw, &elems); err != nil {
		t.Fatal(err)
	}
	for _, rj := range rep.Rejects {
		if rj.Where != WhereElement || rj.Line < 1 || rj.Line > len(elems) || elems[rj.Line-1].ID.String() != rj.ID {
			t.Errorf("reject %+v does not name its element", rj)
		}
	}
}
