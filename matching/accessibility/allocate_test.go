package accessibility

import (
	"context"
	"errors"
	"testing"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/alloc"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// TestAllocateTiny places posts in the tiny world of TestAccessTiny: within
// 5 km site S1 (département 01) reaches 420 people in difficulty, S2 (02)
// 56. Equity lifts 01 (1/420 per person) before 02 (1/56): the first 6
// posts go to 01; floors and caps move them; the accessibility after is the
// 2SFCA of the sites plus the new posts, (1 + x) / 420 in 01.
func TestAllocateTiny(t *testing.T) {
	w := mtest.NewTiny(t)
	r := coverage.ReachKm(5)
	if _, err := Allocate(context.Background(), w.E, AllocationQuery{Posts: 1, Supply: matching.DefaultLayer, Reach: &r}); !errors.Is(err, alloc.ErrInput) {
		t.Fatalf("hosts without a département: %v, want alloc.ErrInput", err)
	}
	sites := w.E.Layer(matching.DefaultLayer).Sites
	sites[0].Departement, sites[1].Departement = "01", "02" // S1, S2
	for _, tc := range []struct {
		name         string
		q            AllocationQuery
		want01, want int // posts to 01, to 02
	}{
		{"equity", AllocationQuery{Posts: 4}, 4, 0},
		{"equity past the tie", AllocationQuery{Posts: 10}, 9, 1},
		{"floor", AllocationQuery{Posts: 4, Floors: map[string]int{"02": 1}}, 3, 1},
		{"cap", AllocationQuery{Posts: 4, Caps: map[string]int{"01": 2}}, 2, 2},
		{"coverage", AllocationQuery{Posts: 4, Objective: alloc.Coverage}, 4, 0},
	} {
		q := tc.q
		q.Supply, q.Reach, q.Hosts = matching.DefaultLayer, &r, []string{HostsStructures}
		a, err := Allocate(context.Background(), w.E, q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(a.Departements) != 2 || a.Departements[0].AllocatedPosts != tc.want01 || a.Departements[1].AllocatedPosts != tc.want {
			t.Fatalf("%s: départements %+v, want %d and %d posts", tc.name, a.Departements, tc.want01, tc.want)
		}
		d1, d2 := a.Departements[0], a.Departements[1]
		approx(t, tc.name+" 01 before", d1.AccessBeforePer10k, 1e4/420)
		approx(t, tc.name+" 01 after", d1.AccessAfterPer10k, float64(1+tc.want01)*1e4/420)
		approx(t, tc.name+" 02 after", d2.AccessAfterPer10k, float64(1+tc.want)*1e4/56)
		approx(t, tc.name+" reference", a.ReferencePer10k, float64(2+q.Posts)*1e4/476)
		// Need shares of the 2 sites in place: 420/476 and 56/476 of them.
		approx(t, tc.name+" need share 01", d1.NeedSharePostsBefore, 2*420.0/476)
		if d1.PostsBefore != 1 || d1.PostsAfter != float64(1+tc.want01) {
			t.Errorf("%s: 01 posts %v → %v", tc.name, d1.PostsBefore, d1.PostsAfter)
		}
	}

	for _, tc := range []struct {
		name string
		q    AllocationQuery
		err  error
	}{
		{"unknown département", AllocationQuery{Posts: 2, Floors: map[string]int{"99": 1}}, alloc.ErrInput},
		{"uploaded without points", AllocationQuery{Posts: 2, Hosts: []string{HostsGiven}}, alloc.ErrInput},
		{"caps too small", AllocationQuery{Posts: 5, Caps: map[string]int{"01": 2, "02": 2}}, alloc.ErrInfeasible},
		{"unknown supply", AllocationQuery{Posts: 2, Supply: "nowhere"}, ErrUnknownSupply},
	} {
		q := tc.q
		if q.Supply == "" {
			q.Supply = matching.DefaultLayer
		}
		q.Reach = &r
		if _, err := Allocate(context.Background(), w.E, q); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
}
