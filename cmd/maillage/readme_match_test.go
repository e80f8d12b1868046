package main

import (
	"bytes"
	"fmt"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/matching/registry"

	"github.com/maillage/maillage/data/synth"
)

// synthMatch is `maillage synth --candidates nCand --structures nStruct
// --seed 1` then `maillage match ... --algorithm both` on the files it
// writes (written and read back in memory, as the commands do on disk).
func (d *docData) synthMatch(nCand, nStruct int) (*registry.MatchResult, error) {
	key := fmt.Sprint(nCand, nStruct)
	if r, ok := d.matches[key]; ok {
		return r, nil
	}
	t := d.e.Territory()
	cands, structs := synth.Synthesize(t, nCand, nStruct, 1)
	var cb, sb bytes.Buffer
	if err := people.WriteCandidatesCSV(&cb, cands); err != nil {
		return nil, err
	}
	if err := people.WriteStructuresCSV(&sb, structs); err != nil {
		return nil, err
	}
	cs, _, err := people.LoadCandidates(&cb, "synth-candidates.csv", textio.FormatCSV, t, textio.LocalFileLimits())
	if err != nil {
		return nil, err
	}
	ss, _, err := people.LoadStructures(&sb, "synth-structures.csv", textio.FormatCSV, t, textio.LocalFileLimits())
	if err != nil {
		return nil, err
	}
	r, err := registry.New(nil, d.e).Matches().Run(testContext(), registry.MatchRequest{Candidates: cs, Structures: ss, Algorithm: registry.AlgorithmBoth})
	if err != nil {
		return nil, err
	}
	d.matches[key] = r
	return r, nil
}

// matchFig is a figure of a synthetic match.
func matchFig(nCand, nStruct int, fn func(c *registry.MatchComparison) string) figure {
	return func(d *docData) (string, error) {
		r, err := d.synthMatch(nCand, nStruct)
		if err != nil {
			return "", err
		}
		if r.Comparison == nil {
			return "", fmt.Errorf("match of %d × %d: no comparison", nCand, nStruct)
		}
		return fn(r.Comparison), nil
	}
}

// matchFigures are the matching examples on synthetic files.
func matchFigures() map[string]figure {
	return map[string]figure{
		"match-50k-size": matchFig(50000, 5000, func(c *registry.MatchComparison) string {
			return fmt.Sprintf("%s posts, %.1f M pairs", num(c.Optimal.Posts), float64(c.Optimal.Edges)/1e6)
		}),
		"match-50k-result": matchFig(50000, 5000, func(c *registry.MatchComparison) string {
			o, g := c.Optimal, c.Greedy
			fill := "both fill every post"
			if o.PostsFilled != o.Posts || g.PostsFilled != g.Posts {
				fill = fmt.Sprintf("optimal fills %s posts and greedy %s", num(o.PostsFilled), num(g.PostsFilled))
			}
			return fmt.Sprintf("%s and optimal saves %.1f km", fill, c.DistanceSavedM/1000)
		}),
		"match-scarce": matchFig(10000, 5000, func(c *registry.MatchComparison) string {
			return fmt.Sprintf("**%s more posts** than greedy (%s vs %s)", num(c.ExtraPostsFilled),
				num(c.Optimal.PostsFilled), num(c.Greedy.PostsFilled))
		}),
	}
}
