package siting

import (
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/internal/num"
	"github.com/maillage/maillage/matching/mclp"
)

// demandCover is the coverage of a recommendation's covering problem: a
// candidate point covers the open demand cells within reach of it.
type demandCover struct {
	g       *geo.Grid
	d       *demandSet
	pts     []orb.Point
	workers int
}

// Cover implements mclp.Coverage: the demand indexes within reach of
// candidate c, in demand order.
func (c *demandCover) Cover(i int, dst []int32) []int32 { return c.d.within(c.g, c.pts[i], dst) }

// problem is the covering problem: the demand weights of the open cells
// and the candidates' coverage.
func (c *demandCover) problem() *mclp.Problem {
	return &mclp.Problem{Weights: c.d.weight, Candidates: len(c.pts), Coverage: c, Workers: c.workers}
}

// popOf returns the inhabitants of the demand cells cells.
func (d *demandSet) popOf(cells []int32) int { return num.RoundPop(d.popSum(cells)) }
