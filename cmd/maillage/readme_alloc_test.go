package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/alloc"
	"github.com/maillage/maillage/matching/coverage"
)

// alloc is `maillage allocate --posts 1862 --objective objective` (the
// 2021 structures, 30 minutes, structures and France Services as hosts).
func (d *docData) alloc(objective string) (*accessibility.Allocation, error) {
	if a, ok := d.allocs[objective]; ok {
		return a, nil
	}
	reach := coverage.ReachMinutes(30, coverage.DefaultTravelModel())
	a, err := accessibility.Allocate(context.Background(), d.e, accessibility.AllocationQuery{Posts: 1862, Objective: alloc.Objective(objective), Reach: &reach})
	if err != nil {
		return nil, err
	}
	d.allocs[objective] = a
	return a, nil
}

// allocFig is a figure of the allocation of objective.
func allocFig(objective string, fn func(a *accessibility.Allocation) string) figure {
	return func(d *docData) (string, error) {
		a, err := d.alloc(objective)
		if err != nil {
			return "", err
		}
		return fn(a), nil
	}
}

// allocSummary is the national outcome of an allocation.
func allocSummary(a *accessibility.Allocation) string {
	return fmt.Sprintf("people in difficulty in cells reaching %.2f posts per 10,000: %s → %s; largest département shortfall %.2f → %.2f",
		a.ReferencePer10k, num(int(a.ReachingReferenceBefore+0.5)), num(int(a.ReachingReferenceAfter+0.5)),
		a.LargestShortfallBeforePer10k, a.LargestShortfallAfterPer10k)
}

// allocTable lists the eight départements given the most posts.
func allocTable(a *accessibility.Allocation) string {
	deps := slices.Clone(a.Departements)
	slices.SortStableFunc(deps, func(x, y accessibility.AllocationDepartement) int {
		return cmp.Compare(y.AllocatedPosts, x.AllocatedPosts)
	})
	var b strings.Builder
	b.WriteString("\n\n| département | people in difficulty | posts 2021 | allocated | after | per 10,000 before | after |\n|---|---|---|---|---|---|---|\n")
	for _, d := range deps[:8] {
		fmt.Fprintf(&b, "| %s %s | %s | %.0f | %d | %.0f | %.2f | %.2f |\n", d.Code, d.Name, num(int(d.Demand+0.5)),
			d.PostsBefore, d.AllocatedPosts, d.PostsAfter, d.AccessBeforePer10k, d.AccessAfterPer10k)
	}
	b.WriteString("\n")
	return b.String()
}

// alloc2021 lists the five départements the 2021 committees served least
// (under) or most relative to need: posts held against the need share.
func alloc2021(under bool) func(a *accessibility.Allocation) string {
	return func(a *accessibility.Allocation) string {
		deps := slices.Clone(a.Departements)
		slices.SortStableFunc(deps, func(x, y accessibility.AllocationDepartement) int {
			if under {
				return cmp.Compare(x.OverServedPostsBefore, y.OverServedPostsBefore)
			}
			return cmp.Compare(y.OverServedPostsBefore, x.OverServedPostsBefore)
		})
		parts := make([]string, 0, 5)
		for _, d := range deps[:5] {
			parts = append(parts, fmt.Sprintf("%s %s (%.0f posts for a need share of %.0f)", d.Code, d.Name, d.PostsBefore, d.NeedSharePostsBefore))
		}
		return strings.Join(parts, ", ")
	}
}
