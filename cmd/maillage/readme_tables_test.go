package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/siting"
)

// testContext is the context of the analyses the figures run.
func testContext() context.Context { return context.Background() }

// round prints a float count as a whole number with separators.
func round(v float64) string { return num(int(math.Round(v))) }

// lowestDepartements lists the n départements with the lowest covered share,
// lowest first, as "Name (code) 43.8 %".
func lowestDepartements(n int) func(cv *coverage.Coverage) string {
	return func(cv *coverage.Coverage) string {
		var deps []coverage.AreaCoverage
		for _, dp := range cv.Departements {
			if located(dp) > 0 {
				deps = append(deps, dp)
			}
		}
		sort.SliceStable(deps, func(i, j int) bool {
			return coverage.Value(deps[i].CoveredShare) < coverage.Value(deps[j].CoveredShare)
		})
		var parts []string
		for _, dp := range deps[:min(n, len(deps))] {
			parts = append(parts, fmt.Sprintf("%s (%s) %s", dp.Name, dp.Code, pct(coverage.Value(dp.CoveredShare), 1)))
		}
		return strings.Join(parts, ", ")
	}
}

// gapsTable is the ten largest gap zones (`coverage --by gaps`).
func gapsTable(cv *coverage.Coverage) string {
	var b strings.Builder
	b.WriteString("\n\n| rank | id | population | départements | area km² |\n|---|---|---|---|---|\n")
	for _, g := range cv.Gaps[:min(10, len(cv.Gaps))] {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", g.Rank, g.ID, num(g.Population),
			strings.Join(g.DepartementsTouched, ", "), round(g.AreaKm2))
	}
	return b.String() + "\n"
}

// zoneName describes a gap zone by its communes, most populated first: all
// of them up to four, else the département and four of them.
func zoneName(t *data.Territory, g coverage.GapZone) string {
	type named struct {
		name string
		pop  int
	}
	var cs []named
	for _, code := range g.CommunesTouched {
		if c, ok := t.Commune(code); ok {
			cs = append(cs, named{c.Name, c.Population})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].pop > cs[j].pop })
	names := make([]string, 0, 4)
	for _, c := range cs[:min(4, len(cs))] {
		names = append(names, c.name)
	}
	deps := strings.Join(g.DepartementsTouched, ", ")
	if len(cs) <= 4 {
		return fmt.Sprintf("%s (%s)", strings.Join(names, ", "), deps)
	}
	where := deps
	if len(g.DepartementsTouched) == 1 {
		if dp, ok := t.Departement(deps); ok {
			where = dp.Name + " (" + deps + ")"
		}
	}
	return fmt.Sprintf("%s: %d communes incl. %s", where, len(cs), strings.Join(names, ", "))
}

// difficultyGapsTable is the ten gap zones with the most people in difficulty
// (`coverage --by gaps --rank-by fragility`).
func difficultyGapsTable(t *data.Territory, cv *coverage.Coverage) string {
	var b strings.Builder
	b.WriteString("\n\n| # | zone | inhabitants | in difficulty | in ZRR |\n|---|---|---|---|---|\n")
	for _, g := range cv.Gaps[:min(10, len(cv.Gaps))] {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", g.Rank, zoneName(t, g), num(g.Population),
			round(g.PopulationInDifficulty), num(g.ZRRPopulation))
	}
	return b.String() + "\n"
}

// articulationTable is `articulation --max-minutes 30`, then 20, then
// `--source cnfs-structures-2021`.
func articulationTable(d *docData) (string, error) {
	var b strings.Builder
	b.WriteString("\n\n| | places | co-located | complements | duplicates | inhabitants added (in difficulty) |\n|---|---|---|---|---|---|\n")
	for _, r := range []struct {
		label, source string
		minutes       float64
	}{
		{"advisor places, 30 min", data.LayerCNFSPermanences, 30},
		{"advisor places, 20 min", data.LayerCNFSPermanences, 20},
		{"host structures 2021, 30 min", matching.BuiltinStructuresDataset, 30},
	} {
		a, err := d.articulate(r.source, r.minutes)
		if err != nil {
			return "", err
		}
		places := num(a.Places)
		if a.Posts > 0 {
			places += " (" + num(a.Posts) + " posts)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | **%s** | %s | %s (%s) |\n", r.label, places, num(a.CoLocated),
			num(a.Complements), num(a.Duplicates), num(a.AddedPopulation), round(a.AddedPopulationInDifficulty))
	}
	return b.String() + "\n", nil
}

// recFig is a figure of `recommend --departement dep --layers layer
// --max-minutes minutes --k k`.
func recFig(dep, layer string, minutes float64, k int, fn func(r *siting.Recommendation) string) figure {
	return func(d *docData) (string, error) {
		r, err := d.recommend(dep, layer, minutes, k)
		if err != nil {
			return "", err
		}
		return fn(r), nil
	}
}

// picksTable is a recommendation's picks: the site, what it adds (and the
// commune gaining most when it is another) and the coverage after.
func picksTable(r *siting.Recommendation) string {
	var b strings.Builder
	b.WriteString("\n\n| rank | site (main town) | adds | coverage after |\n|---|---|---|---|\n")
	for _, p := range r.Picks {
		adds := "+" + num(p.GainPopulation)
		if len(p.Communes) > 0 && p.Communes[0].Code != p.Commune {
			adds += fmt.Sprintf(" (%s +%s)", p.Communes[0].Name, num(p.Communes[0].GainPopulation))
		}
		fmt.Fprintf(&b, "| %d | %s (%s) | %s | %s |\n", p.Rank, p.Name, p.ID, adds, pct(p.CoveredShare, 2))
	}
	return b.String() + "\n"
}

// boundSentence says how close to the optimum the picks are.
func boundSentence(r *siting.Recommendation) string {
	if r.Bound.AchievedShare >= 1 {
		n := fmt.Sprint(len(r.Picks))
		if words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}; len(r.Picks) < len(words) {
			n = words[len(r.Picks)]
		}
		return fmt.Sprintf("The bound equals the value reached (%s): these %s are provably optimal.", round(r.Bound.Achieved), n)
	}
	return fmt.Sprintf("They reach %s, at least %s of the optimum by the bound (%s).",
		round(r.Bound.Achieved), pct(r.Bound.AchievedShare, 1), round(r.Bound.UpperBound))
}

// pickNames lists the picks' names, "A, B and C".
func pickNames(r *siting.Recommendation) string {
	names := make([]string, len(r.Picks))
	for i, p := range r.Picks {
		names[i] = p.Name
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// sitingFigures are the siting examples: Indre under the 2020 network at
// 30 minutes, Landes under today's at 20.
func sitingFigures() map[string]figure {
	fs, fs20 := data.LayerFranceServices, data.LayerFranceServices2020
	last := func(r *siting.Recommendation) siting.SitePick { return r.Picks[len(r.Picks)-1] }
	return map[string]figure{
		"indre-2020-share":  recFig("36", fs20, 30, 5, func(r *siting.Recommendation) string { return pct(r.CoveredShareBefore, 1) }),
		"indre-population":  recFig("36", fs20, 30, 5, func(r *siting.Recommendation) string { return num(r.Population) }),
		"indre-picks-table": recFig("36", fs20, 30, 5, picksTable),
		"indre-bound":       recFig("36", fs20, 30, 5, boundSentence),
		"indre-2024-share":  depFig(fs, 30, "36", func(cv *coverage.Coverage) string { return pct(coverage.Value(cv.Summary.CoveredShare), 1) }),
		"landes-2024-20":    depFig(fs, 20, "40", func(cv *coverage.Coverage) string { return pct(coverage.Value(cv.Summary.CoveredShare), 2) }),
		"landes-picks":      recFig("40", fs, 20, 5, pickNames),
		"landes-gain": recFig("40", fs, 20, 5, func(r *siting.Recommendation) string {
			return fmt.Sprintf("+%s inhabitants, %s", num(r.CoveredAfter-r.CoveredBefore), pct(last(r).CoveredShare, 2))
		}),
		"landes-bound": recFig("40", fs, 20, 5, func(r *siting.Recommendation) string { return pct(r.Bound.AchievedShare, 1) }),
	}
}
