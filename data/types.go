package data

import (
	"github.com/maillage/maillage/data/boundaries"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
)

// Commune is a current commune (INSEE COG "commune-actuelle"), with its 2018
// boundary when one could be joined. The boundaries of former communes
// merged since 2018 are dissolved with it into one valid shape.
type Commune struct {
	Code        string // current INSEE code
	Name        string
	Departement string // code, e.g. "23", "2A", "974"
	Region      string // code, e.g. "75"
	EPCI        string // SIREN of its EPCI, "" when none
	Zone        string // "metro", "drom" or "com"
	Population  int    // municipal population (legal population of the package)

	FormerCodes []string         // 2018 boundary codes merged into this commune (excluding Code itself)
	Shape       orb.MultiPolygon // valid by the OGC rules unless listed in Reconciliation.ShapesInvalid; nil when no 2018 boundary could be joined
	Bound       orb.Bound        // bounding box of Shape
	Rep         orb.Point        // representative point, inside Shape (the main town's centroid when inside)
	AreaKm2     float64          // geodesic area of Shape in km² (after dissolving)

	// parts are the 2018 boundaries the shape was assembled from, own code
	// first then former codes by code, when there are several or the one
	// there is has another code or is invalid (nil for a commune of one
	// valid boundary of its own code, whose Shape it is).
	parts []shapePart
	// dissolveErr is why dissolving parts failed (kept for a reload that
	// reuses the shape, territory_reuse.go).
	dissolveErr error
}

// shapePart is one 2018 boundary joined to a commune: its code, its shape
// as read, why that shape is invalid ("" when valid) and its area.
type shapePart struct {
	code    string
	shape   orb.MultiPolygon
	invalid string
	areaKm2 float64
}

// HasShape reports whether a boundary was joined to the commune.
func (c *Commune) HasShape() bool { return len(c.Shape) > 0 }

// Departement is a département of the COG.
type Departement struct {
	Code   string
	Name   string
	Region string
	Zone   string
}

// Region is a région of the COG.
type Region struct {
	Code string
	Name string
	Zone string
}

// EPCI is an inter-municipal body with its member communes.
type EPCI struct {
	Code       string // SIREN
	Name       string
	Type       string
	Population int
	Members    []string // current INSEE codes
}

// Reconciliation counts what could and could not be joined between the 2018
// boundaries and the current communes. Every unmatched code is listed.
//
// A commune made of several boundaries gets their union as its shape
// (ShapesDissolved); an invalid boundary (BoundariesInvalid) is repaired by
// the same union (BoundariesRepaired) and, should that fail, kept as read
// and listed in ShapesInvalid.
//
// Invariants: Boundaries = BoundariesSameCode + BoundariesMerged +
// len(BoundariesUnmatched); Communes = CommunesWithShape +
// len(CommunesWithoutShape); PopulationTotal = PopulationWithShape +
// PopulationWithoutShape.
type Reconciliation struct {
	Boundaries              int      `json:"boundaries"`                 // features read
	BoundariesSameCode      int      `json:"boundaries_same_code"`       // joined to the current commune of the same code
	BoundariesMerged        int      `json:"boundaries_merged"`          // former codes joined to their chefLieu commune
	BoundariesUnmatched     []string `json:"boundaries_unmatched"`       // boundary without current commune
	Communes                int      `json:"communes"`                   // current communes (COG "commune-actuelle")
	CommunesWithShape       int      `json:"communes_with_shape"`        // current communes with at least one boundary
	CommunesWithoutShape    []string `json:"communes_without_shape"`     // current commune without boundary
	CommunesShapeOnlyMerged []string `json:"communes_shape_only_merged"` // with no boundary of their own code: shape made of former communes only
	FormerCodes             int      `json:"former_codes"`               // delegated, associated and arrondissement codes resolved to a current commune
	FormerCodesUnresolved   []string `json:"former_codes_unresolved"`    // such codes whose chefLieu/commune is no current commune
	EPCIMembersUnmatched    []string `json:"epci_members_unmatched"`     // "epci:member" codes joined to no commune
	ShapesDissolved         int      `json:"shapes_dissolved"`           // communes whose several boundaries were dissolved into one shape
	BoundariesInvalid       []string `json:"boundaries_invalid"`         // "code: reason" of boundaries joined to a commune that break the OGC validity rules as read
	BoundariesRepaired      []string `json:"boundaries_repaired"`        // codes of those made valid by the union
	ShapesInvalid           []string `json:"shapes_invalid"`             // "code: reason" of communes whose union failed: shape kept as read
	PopulationWithoutShape  int      `json:"population_without_shape"`   // inhabitants of those communes
	PopulationTotal         int      `json:"population_total"`           // all current communes
	PopulationWithShape     int      `json:"population_with_shape"`
}

// Territory is the loaded France: current communes with shapes and
// populations, the administrative levels and the commune index.
type Territory struct {
	Communes     []Commune // current communes sorted by code, with or without shape
	Departements []Departement
	Regions      []Region
	EPCIs        []EPCI
	Report       Reconciliation

	// Index locates points in communes; its ids are indexes into Communes
	// (only communes with a shape are indexed).
	Index *geo.CommuneIndex

	// Unmatched are the 2018 boundaries joined to no current commune
	// (Report.BoundariesUnmatched), kept to explain points that fall in them.
	Unmatched []boundaries.Boundary

	byCode     map[string]int    // current code → index in Communes
	formerCode map[string]string // former/delegated/associated/arrondissement code → current code
	depByCode  map[string]int
	regByCode  map[string]int
	epciByCode map[string]int
	byDep      map[string][]int // département code → ids of its communes, ascending

	// features are the boundary features read, for the next reload to
	// reuse (territory_reuse.go); prev is the territory being reused,
	// only while this one is built; reused counts what was taken from it.
	features *boundaries.Features
	prev     *shapeReuse
	reused   TerritoryReuse
	// fromSnapshot is true for a territory read from the engine snapshot
	// (DecodeTerritory), which keeps no boundary shapes to compare: a
	// reload takes nothing from it.
	fromSnapshot bool
}

// SiteKind says what a service point is.
type SiteKind string

// Site kinds.
const (
	KindFranceServices SiteKind = "france_services"
	KindAntenne        SiteKind = "antenne"
	KindCNFSPlace      SiteKind = "cnfs_permanence"
	KindStructure      SiteKind = "structure"
	KindOther          SiteKind = "other"
)

// Site is one service point of a layer.
type Site struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        SiteKind  `json:"kind"`
	Itinerant   bool      `json:"itinerant"`
	Format      string    `json:"format,omitempty"`
	Address     string    `json:"address,omitempty"`
	Commune     string    `json:"commune"`     // current INSEE code of the commune holding the point
	Departement string    `json:"departement"` // département code
	Layer       string    `json:"layer"`
	Point       orb.Point `json:"-"`
}

// Reject is a record that could not be loaded, with where and why.
type Reject struct {
	File   string `json:"file"`
	Line   int    `json:"line"`  // 1-based line (CSV) or feature/element number (JSON), as Where says
	Where  string `json:"where"` // "line", "feature" or "element"
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// LoadReport accounts for every record of a file: Read = Loaded +
// len(Rejects), and Read + Filtered is the number of records in the file.
type LoadReport struct {
	File             string `json:"file"`
	Read             int    `json:"read"`
	Loaded           int    `json:"loaded"`
	CodesMapped      int    `json:"codes_mapped"`       // declared former commune codes mapped to current ones
	Snapped          int    `json:"snapped"`            // points outside every boundary snapped to the nearest commune
	CommuneMismatch  int    `json:"commune_mismatch"`   // declared commune ≠ point-in-polygon commune (counted, not fixed)
	DeclaredUnknown  int    `json:"declared_unknown"`   // declared commune code known neither as current nor as former
	Mobile           int    `json:"mobile"`             // itinerant sites (bus, itinérante)
	LocatedByCommune int    `json:"located_by_commune"` // no coordinates: placed at the commune's representative point
	// DeclaredCommuneUsed counts points in no commune shape placed in their
	// declared commune: one without any 2018 boundary (overseas
	// collectivities), or one next to the unmatched former-commune boundary
	// holding the point.
	DeclaredCommuneUsed int `json:"declared_commune_used"`
	// Filtered counts records of the file left out of this layer by its
	// program selector (LoadMediationPlaces): they are in other layers, or
	// in none, but never silently lost. Read = Loaded + len(Rejects) counts
	// the others.
	Filtered int      `json:"filtered,omitempty"`
	Rejects  []Reject `json:"rejects"`
}

// Layer is a named set of service points with its index.
type Layer struct {
	Name    string           `json:"name"`
	Vintage string           `json:"vintage"`
	Title   string           `json:"title,omitempty"` // human name declared for the layer, e.g. on the map
	Source  string           `json:"source"`
	Sites   []Site           `json:"-"`
	Index   *siteindex.Index `json:"-"`
	Report  LoadReport       `json:"report"`
}
