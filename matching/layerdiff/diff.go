// Package layerdiff says what changed between two lists of service sites
// (two layers: the France Services of 2020 and of 2024, a list and its
// republication): sites opened, closed, moved and renamed, by département,
// and what that did to coverage.
package layerdiff

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/unicode/norm"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/siting"
)

// MovedM is the distance beyond which a site found in both lists has moved:
// geocoding the same address twice differs by tens of metres.
const MovedM = 200.0

// Kinds of change (Change.Change).
const (
	Opened  = "opened"  // in To only
	Closed  = "closed"  // in From only
	Moved   = "moved"   // in both, more than MovedM apart (it may also be renamed)
	Renamed = "renamed" // in both, at the same place, under another name
)

// How two sites were matched (Change.MatchedBy).
const (
	ByID          = "id"           // same identifier
	ByNameCommune = "name_commune" // same normalised name in the same current commune
)

// Query asks what changed from layer From to layer To.
type Query struct {
	From, To string
	// Reach is the coverage threshold of the consequence; nil means
	// coverage.DefaultReach.
	Reach *coverage.Reach
	// Departement or Region (codes, at most one) restrict the sites
	// compared and the coverage consequence; both empty mean all of France.
	Departement string
	Region      string
	// NoCoverage skips the coverage consequence (the site changes alone).
	NoCoverage bool
}

// Change is one site that opened, closed, moved or was renamed. For a
// site in both lists, the point and names are those of To, From* those
// of From.
type Change struct {
	Change      string  `json:"change"`
	ID          string  `json:"id"`
	FromID      string  `json:"from_id,omitempty"` // when matched by name and commune under another id
	Name        string  `json:"name"`
	FromName    string  `json:"from_name,omitempty"` // when renamed
	Renamed     bool    `json:"renamed"`             // also true for a moved site under a new name
	Commune     string  `json:"commune"`
	Departement string  `json:"departement"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`
	FromLon     float64 `json:"from_lon,omitempty"`
	FromLat     float64 `json:"from_lat,omitempty"`
	DistanceM   float64 `json:"distance_m,omitempty"` // moved: how far
	MatchedBy   string  `json:"matched_by,omitempty"`
	FromCommune string  `json:"from_commune,omitempty"` // when moved to another commune
}

// Counts are the changes of an area.
type Counts struct {
	Code      string `json:"code,omitempty"` // département code; "" for the whole list
	SitesFrom int    `json:"sites_from"`
	SitesTo   int    `json:"sites_to"`
	Opened    int    `json:"opened"`
	Closed    int    `json:"closed"`
	Moved     int    `json:"moved"`
	Renamed   int    `json:"renamed"` // moved or not
	Unchanged int    `json:"unchanged"`
}

// Diff is what changed from one list to the other.
type Diff struct {
	From         string   `json:"from"`
	To           string   `json:"to"`
	MovedM       float64  `json:"moved_threshold_m"`
	Summary      Counts   `json:"summary"`
	MatchedByID  int      `json:"matched_by_id"`
	MatchedByNC  int      `json:"matched_by_name_commune"`
	Departements []Counts `json:"departements"` // départements with a site in either list, by code
	Changes      []Change `json:"changes"`      // by change kind, then département, then id
	// Coverage is the coverage consequence at Reach: population gaining
	// and losing reach (nil with Query.NoCoverage).
	Coverage *siting.CoverageComparison `json:"coverage,omitempty"`
}

// Compare diffs the layers of q in e and measures the coverage consequence
// with the engine's comparison (siting.CompareCoverage).
func Compare(ctx context.Context, e *matching.Engine, q Query) (*Diff, error) {
	from, to := e.Layer(q.From), e.Layer(q.To)
	for _, x := range []struct {
		name string
		l    *data.Layer
	}{{q.From, from}, {q.To, to}} {
		if x.l == nil {
			return nil, fmt.Errorf("%w: %q (loaded: %s)", coverage.ErrUnknownLayer, x.name, strings.Join(e.LayerNames(), ", "))
		}
	}
	var cov *siting.CoverageComparison
	if !q.NoCoverage || q.Departement != "" || q.Region != "" {
		// Also checks the scope codes, which the site filter relies on.
		var err error
		cov, err = siting.CompareCoverage(ctx, e, siting.CompareQuery{From: []string{q.From}, To: []string{q.To}, Reach: q.Reach,
			Departement: q.Departement, Region: q.Region})
		if err != nil {
			return nil, err
		}
	}
	if q.Departement != "" || q.Region != "" {
		in := make(map[string]bool)
		for _, d := range cov.Departements {
			in[d.Code] = true
		}
		from, to = scoped(from, in), scoped(to, in)
	}
	d := Sites(from, to)
	if !q.NoCoverage {
		d.Coverage = cov
	}
	return d, nil
}

// scoped returns l with only the sites of the départements in.
func scoped(l *data.Layer, in map[string]bool) *data.Layer {
	out := &data.Layer{Name: l.Name, Vintage: l.Vintage, Source: l.Source}
	for _, s := range l.Sites {
		if in[s.Departement] {
			out.Sites = append(out.Sites, s)
		}
	}
	return out
}

// Sites matches the sites of two layers: by identifier first, then the
// remaining ones by normalised name in the same current commune (so a list
// renumbered still matches). A matched pair more than MovedM apart has
// moved; one whose normalised names differ was renamed.
func Sites(from, to *data.Layer) *Diff {
	d := &Diff{From: from.Name, To: to.Name, MovedM: MovedM, Changes: []Change{}}
	match := make([]int, len(to.Sites)) // index in from.Sites, or -1
	used := make([]bool, len(from.Sites))
	byID := make(map[string]int, len(from.Sites))
	for i, s := range from.Sites {
		if s.ID != "" {
			byID[s.ID] = i
		}
	}
	how := make([]string, len(to.Sites))
	for j, s := range to.Sites {
		match[j] = -1
		if i, ok := byID[s.ID]; ok && s.ID != "" && !used[i] {
			match[j], used[i], how[j] = i, true, ByID
		}
	}
	byNC := make(map[string][]int)
	for i, s := range from.Sites {
		if !used[i] {
			k := nameKey(s.Name) + "|" + s.Commune
			byNC[k] = append(byNC[k], i)
		}
	}
	for j, s := range to.Sites {
		if match[j] >= 0 {
			continue
		}
		k := nameKey(s.Name) + "|" + s.Commune
		if c := byNC[k]; len(c) > 0 && nameKey(s.Name) != "" {
			match[j], used[c[0]], how[j] = c[0], true, ByNameCommune
			byNC[k] = c[1:]
		}
	}
	deps := make(map[string]*Counts)
	dep := func(code string) *Counts {
		c, ok := deps[code]
		if !ok {
			c = &Counts{Code: code}
			deps[code] = c
		}
		return c
	}
	count := func(code string, f func(*Counts)) { f(&d.Summary); f(dep(code)) }
	for _, s := range from.Sites {
		count(s.Departement, func(c *Counts) { c.SitesFrom++ })
	}
	for j, s := range to.Sites {
		count(s.Departement, func(c *Counts) { c.SitesTo++ })
		ch := Change{ID: s.ID, Name: s.Name, Commune: s.Commune, Departement: s.Departement, Lon: s.Point[0], Lat: s.Point[1]}
		i := match[j]
		if i < 0 {
			ch.Change = Opened
			count(s.Departement, func(c *Counts) { c.Opened++ })
			d.Changes = append(d.Changes, ch)
			continue
		}
		f := from.Sites[i]
		ch.MatchedBy = how[j]
		if how[j] == ByID {
			d.MatchedByID++
		} else {
			d.MatchedByNC++
			if f.ID != s.ID {
				ch.FromID = f.ID
			}
		}
		dist := geo.DistanceM(f.Point, s.Point)
		ch.Renamed = nameKey(f.Name) != nameKey(s.Name)
		moved := dist > MovedM
		switch {
		case moved:
			ch.Change, ch.DistanceM = Moved, dist
			ch.FromLon, ch.FromLat = f.Point[0], f.Point[1]
			if f.Commune != s.Commune {
				ch.FromCommune = f.Commune
			}
			count(s.Departement, func(c *Counts) { c.Moved++ })
		case ch.Renamed:
			ch.Change = Renamed
		default:
			count(s.Departement, func(c *Counts) { c.Unchanged++ })
			continue
		}
		if ch.Renamed {
			ch.FromName = f.Name
			count(s.Departement, func(c *Counts) { c.Renamed++ })
		}
		d.Changes = append(d.Changes, ch)
	}
	for i, s := range from.Sites {
		if used[i] {
			continue
		}
		count(s.Departement, func(c *Counts) { c.Closed++ })
		d.Changes = append(d.Changes, Change{Change: Closed, ID: s.ID, Name: s.Name, Commune: s.Commune, Departement: s.Departement,
			Lon: s.Point[0], Lat: s.Point[1]})
	}
	order := map[string]int{Opened: 0, Closed: 1, Moved: 2, Renamed: 3}
	slices.SortStableFunc(d.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(order[a.Change], order[b.Change]), cmp.Compare(a.Departement, b.Departement), cmp.Compare(a.ID, b.ID))
	})
	d.Departements = make([]Counts, 0, len(deps))
	for _, c := range deps {
		d.Departements = append(d.Departements, *c)
	}
	slices.SortFunc(d.Departements, func(a, b Counts) int { return cmp.Compare(a.Code, b.Code) })
	return d
}

// GeoJSON returns the changes as Point features at their To location (the
// From one for closed sites), with the Change fields as properties; the
// id of a feature is "<change>:<site id>".
func (d *Diff) GeoJSON() *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.ExtraMembers = geojson.Properties{"from": d.From, "to": d.To, "moved_threshold_m": d.MovedM, "summary": d.Summary}
	for _, c := range d.Changes {
		f := geojson.NewFeature(orb.Point{c.Lon, c.Lat})
		f.ID = c.Change + ":" + c.ID
		f.Properties = geojson.Properties{"change": c.Change, "id": c.ID, "name": c.Name, "renamed": c.Renamed,
			"commune": c.Commune, "departement": c.Departement}
		for k, v := range map[string]string{"from_id": c.FromID, "from_name": c.FromName, "matched_by": c.MatchedBy, "from_commune": c.FromCommune} {
			if v != "" {
				f.Properties[k] = v
			}
		}
		if c.Change == Moved {
			f.Properties["distance_m"] = math.Round(c.DistanceM*10) / 10
			f.Properties["from_lon"], f.Properties["from_lat"] = c.FromLon, c.FromLat
		}
		fc.Append(f)
	}
	return fc
}

// stopWords are left out of names compared: "France services de Valserhône"
// and "Valserhône" are one name (the 2024 list prefixes the network's
// label to every name of the 2020 one).
var stopWords = map[string]bool{"de": true, "du": true, "des": true, "d": true, "l": true, "la": true, "le": true,
	"les": true, "et": true, "en": true}

// nameKey normalises a site name for comparison: lower case, no accents, words
// of letters and digits, without stop words nor a leading "France services"
// or "Maison France services" label.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for _, label := range [][]string{{"maison", "france", "services"}, {"espace", "france", "services"}, {"france", "services"}, {"fs"}} {
		if len(words) > len(label) && slices.Equal(words[:len(label)], label) {
			words = words[len(label):]
			break
		}
	}
	words = slices.DeleteFunc(words, func(w string) bool { return stopWords[w] })
	return strings.Join(words, " ")
}
