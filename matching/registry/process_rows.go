package registry

import (
	"fmt"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching/pairing"
)

// ProcessRows are the matching rows of a candidates and a structures
// dataset, with their id lookups, as the recruitment process reads them.
// They are shared with the registry's cache: callers must not modify them.
type ProcessRows struct {
	Candidates      []pairing.Candidate
	Structures      []pairing.Structure
	CandidateIndex  map[string]int // id → index in Candidates
	StructureIndex  map[string]int // id → index in Structures
	CandidatesID    string
	StructuresID    string
	structuresEntry *datasetEntry
}

// ProcessRows returns the rows of the datasets candidatesID and
// structuresID (data.ErrDatasetNotFound, or ErrDatasetKind, when they are
// not a candidates and a structures dataset).
func (ds *Datasets) ProcessRows(candidatesID, structuresID string) (*ProcessRows, error) {
	ce, err := ds.entryOf(candidatesID, data.KindCandidates)
	if err != nil {
		return nil, err
	}
	se, err := ds.entryOf(structuresID, data.KindStructures)
	if err != nil {
		return nil, err
	}
	ce.convert()
	se.convert()
	return &ProcessRows{Candidates: ce.cands, Structures: se.structs, CandidateIndex: ce.byID, StructureIndex: se.byID,
		CandidatesID: candidatesID, StructuresID: structuresID, structuresEntry: se}, nil
}

// StructureRows returns the rows of the structures dataset structuresID
// alone (Candidates and CandidateIndex are nil).
func (ds *Datasets) StructureRows(structuresID string) (*ProcessRows, error) {
	se, err := ds.entryOf(structuresID, data.KindStructures)
	if err != nil {
		return nil, err
	}
	se.convert()
	return &ProcessRows{Structures: se.structs, StructureIndex: se.byID, StructuresID: structuresID, structuresEntry: se}, nil
}

// Reach flags, per candidate, the phases of the structures it may be
// proposed to (within its MaxKm, available by their mission start, in the
// départements it wishes): bit 1<<phase for phases 0 (unknown), 1 and 2.
// Opinions and fullness change; they are left to the caller.
func (p *ProcessRows) Reach() []uint8 {
	idx := p.structuresEntry.index()
	out := make([]uint8, len(p.Candidates))
	var nbs []siteindex.Neighbor
	for ci := range p.Candidates {
		c := &p.Candidates[ci]
		nbs = idx.Within(c.Point, pairing.CandidateMaxM(c), nbs[:0])
		for _, nb := range nbs {
			if nb.ID >= len(p.Structures) {
				continue
			}
			s := &p.Structures[nb.ID]
			if pairing.PairAllowed(c, s, 0) && s.Phase >= 0 && s.Phase <= 2 {
				out[ci] |= 1 << s.Phase
			}
		}
	}
	return out
}

// WithPair returns the ids of the stored match results that assign
// candidateID to structureID, oldest first.
func (m *Matches) WithPair(structureID, candidateID string) ([]string, error) {
	infos, err := m.reg.datasets.List()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, info := range infos {
		if info.Kind != data.KindMatchResult {
			continue
		}
		res, err := m.Result(info.ID)
		if err != nil {
			return nil, fmt.Errorf("match %s: %w", info.ID, err)
		}
		for _, a := range res.Assignments {
			if a.Candidate == candidateID && a.Structure == structureID {
				out = append(out, info.ID)
				break
			}
		}
	}
	return out, nil
}
