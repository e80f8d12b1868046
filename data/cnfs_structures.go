package data

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/data/values"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// cnfsStructure is one element of cnfs-structures-2021.json (the fields
// maillage uses; the others are ignored).
type cnfsStructure struct {
	ID             json.Number `json:"id"`
	RaisonSociale  string      `json:"raison_sociale"`
	Siret          string      `json:"siret"`
	Type           string      `json:"type"`
	NbCNFS         json.Number `json:"nb_cnfs"`
	Adresse        string      `json:"adresse"`
	Validation     string      `json:"date_de_validation_en_comité_de_sélection"`
	InseeCom       *string     `json:"insee_com"`
	Latitude       *float64    `json:"latitude"`
	Longitude      *float64    `json:"longitude"`
	ZRR            string      `json:"zrr"`
	QPV            string      `json:"qpv"`
	FranceServices string      `json:"france_services"`
	InseeDep       *string     `json:"insee_dep"`
	CodeDep        string      `json:"code_département"`
	InseeReg       *string     `json:"insee_reg"`
}

// LoadCNFSStructures reads the host structures of the first conseillers
// numériques (cnfs-structures-2021.json, plain or gzip): Posts is nb_cnfs,
// ID the decimal id, Name raison_sociale, Type "publique"/"privée", the
// zrr/qpv/france_services flags "oui"/"non" ("" for "non renseigné"); siret,
// adresse and the committee date go to Attrs.
//
// A structure with coordinates is placed there; one without is placed at its
// commune's representative point (LocatedBy "commune", counted in
// LocatedByCommune); one with neither, or with invalid values, is a Reject.
// Commune is the declared insee_com mapped to its current code (counted in
// CodesMapped when it changed), else the commune holding the point;
// CommuneMismatch counts points that fall outside the declared commune.
//
// The file has bad geocodes, handled rather than trusted: a point more than
// 10 km outside its declared commune's bounding box (a homonym geocoded in
// another département) is moved to the commune's representative point
// (LocatedBy "commune", counted in LocatedByCommune, the original point in
// Attrs["relocated_from"]); a structure with no commune whose point lies in
// another département than the declared one (placeholder records named "0"
// with no address, all at one geocoder default) is rejected. Every element
// is either loaded or rejected.
func LoadCNFSStructures(path string, t *Territory) ([]people.Structure, LoadReport, error) {
	file := filepath.Base(path)
	rep := LoadReport{File: file, Rejects: []Reject{}}
	raw, err := textio.ReadFile(path)
	if err != nil {
		return nil, rep, fmt.Errorf("cnfs structures %s: %w", path, err)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, rep, fmt.Errorf("cnfs structures %s: %w", path, err)
	}
	rep.Read = len(elems)
	out := make([]people.Structure, 0, len(elems))
	seen := make(map[string]int, len(elems))
	for i, el := range elems {
		reject := func(id, format string, args ...any) {
			rep.Rejects = append(rep.Rejects, Reject{File: file, Line: i + 1, Where: WhereElement, ID: id, Reason: fmt.Sprintf(format, args...)})
		}
		var cs cnfsStructure
		if err := json.Unmarshal(el, &cs); err != nil {
			reject("", "invalid element: %v", err)
			continue
		}
		id := cs.ID.String()
		if id == "" {
			reject("", "missing id")
			continue
		}
		if first, dup := seen[id]; dup {
			reject(id, "duplicate id (first at element %d)", first)
			continue
		}
		seen[id] = i
		posts, err := values.ParsePosts(cs.NbCNFS.String())
		if err != nil {
			reject(id, "nb_cnfs %v", err)
			continue
		}
		s := people.Structure{
			ID: id, Name: strings.TrimSpace(cs.RaisonSociale), Type: cs.Type, Posts: posts, Phase: people.PhaseOfType(cs.Type),
			ZRR: people.NormalizeFlag(cs.ZRR), QPV: people.NormalizeFlag(cs.QPV), FranceServices: people.NormalizeFlag(cs.FranceServices),
			Attrs: cnfsAttrs(&cs),
		}
		var declared *Commune
		code := ""
		if cs.InseeCom != nil {
			code = strings.TrimSpace(*cs.InseeCom)
		}
		if code != "" {
			if c, ok := t.Commune(code); ok {
				declared = c
				if c.Code != code {
					rep.CodesMapped++
				}
			}
		}
		dep := declaredDep(&cs)
		var holder *Commune
		switch {
		case cs.Latitude != nil && cs.Longitude != nil:
			p := orb.Point{*cs.Longitude, *cs.Latitude}
			if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
				reject(id, "coordinates (%g, %g) out of range", p[0], p[1])
				continue
			}
			s.Point, s.LocatedBy = p, people.LocatedByCoordinates
			if c, ok := t.At(p); ok {
				holder = c
			}
			if declared != nil && (holder == nil || holder.Code != declared.Code) {
				rep.CommuneMismatch++
				if declared.HasShape() && distanceToBoundM(p, declared.Bound) > cnfsRelocateM {
					// A geocode to a homonym far away: the declared commune wins.
					s.Attrs["relocated_from"] = fmt.Sprintf("%g,%g", p[0], p[1])
					s.Point, s.LocatedBy = declared.Rep, people.LocatedByCommune
					rep.LocatedByCommune++
				}
			}
			if declared == nil && holder != nil && dep != "" && holder.Departement != dep {
				reject(id, "no commune declared and the point (%g, %g) lies in département %s, not the declared %s", p[0], p[1], holder.Departement, dep)
				continue
			}
		case declared != nil && declared.HasShape():
			s.Point, s.LocatedBy = declared.Rep, people.LocatedByCommune
			rep.LocatedByCommune++
		case declared != nil:
			reject(id, "no coordinates and commune %s has no boundary", declared.Code)
			continue
		case code != "":
			reject(id, "no coordinates and unknown commune code %q", code)
			continue
		default:
			reject(id, "neither coordinates nor commune code")
			continue
		}
		c := declared
		if c == nil {
			c = holder
		}
		if c != nil {
			s.Commune, s.Departement, s.Region = c.Code, c.Departement, c.Region
		} else {
			// Outside every commune and no declared commune: keep the
			// declared département and région when there are some.
			if dep == "" {
				reject(id, "point (%g, %g) outside every commune, no commune nor département declared", s.Point[0], s.Point[1])
				continue
			}
			s.Departement = dep
			if cs.InseeReg != nil {
				s.Region = *cs.InseeReg
			}
		}
		out = append(out, s)
	}
	rep.Loaded = len(out)
	return out, rep, nil
}

// cnfsRelocateM is how far outside its declared commune's bounding box a
// structure's point may lie before it is taken for a bad geocode.
const cnfsRelocateM = 10_000

// distanceToBoundM returns the great-circle distance from p to the nearest
// point of b (0 inside).
func distanceToBoundM(p orb.Point, b orb.Bound) float64 {
	q := orb.Point{min(max(p[0], b.Min[0]), b.Max[0]), min(max(p[1], b.Min[1]), b.Max[1])}
	return geo.DistanceM(p, q)
}

// declaredDep returns the declared département: insee_dep, else
// code_département (one-digit codes padded), else "".
func declaredDep(cs *cnfsStructure) string {
	if cs.InseeDep != nil && *cs.InseeDep != "" {
		return people.NormalizeDep(*cs.InseeDep)
	}
	if cs.CodeDep != "" {
		return people.NormalizeDep(cs.CodeDep)
	}
	return ""
}

// cnfsAttrs keeps the identifying fields that matching may need (the SIRET
// links structures to the CNFS permanences).
func cnfsAttrs(cs *cnfsStructure) map[string]string {
	a := make(map[string]string, 3)
	if cs.Siret != "" {
		a["siret"] = cs.Siret
	}
	if cs.Adresse != "" {
		a["adresse"] = cs.Adresse
	}
	if cs.Validation != "" {
		a["date_validation"] = cs.Validation
	}
	return a
}
