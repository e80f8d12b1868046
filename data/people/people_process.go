package people

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maillage/maillage/data/values"
)

// The columns of the recruitment process (issue 21): when a candidate is
// available and where they wish to work, when a structure's mission starts
// and in which opening phase of the programme it applies.

// DateLayout is how dates are written: ISO 8601 calendar dates.
const DateLayout = "2006-01-02"

// Phases of the programme: public bodies, associations and the social and
// solidarity economy first, private actors in a second phase. PhaseUnknown
// is a structure whose type says neither and whose file gave no phase.
const (
	PhaseUnknown = 0
	PhasePublic  = 1
	PhasePrivate = 2
)

// MaxWishedDepartements bounds the départements one candidate may wish.
const MaxWishedDepartements = 20

// ParseDate parses a date written 2027-01-15 (ISO) or 15/01/2027 (French)
// and returns it in the ISO form; years outside 2000–2100 are refused as
// typing mistakes.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	var err error
	if strings.Contains(s, "/") {
		t, err = time.Parse("02/01/2006", s)
	} else {
		t, err = time.Parse(DateLayout, s)
	}
	if err != nil {
		return "", fmt.Errorf("%s is not a date (want 2027-01-15 or 15/01/2027)", values.Quote(s))
	}
	if y := t.Year(); y < 2000 || y > 2100 {
		return "", fmt.Errorf("%s is out of range (years 2000 to 2100)", values.Quote(s))
	}
	return t.Format(DateLayout), nil
}

// DayNumber returns the days from 1970-01-01 to an ISO date written by
// ParseDate, or 0 for "" (no date): dates compare as integers on the
// matching's hot path. A date that does not parse also gives 0.
func DayNumber(iso string) int32 {
	if iso == "" {
		return 0
	}
	t, err := time.Parse(DateLayout, iso)
	if err != nil {
		return 0
	}
	return int32(t.Unix() / 86400)
}

// PhaseOfType derives the phase of a structure from its type: 1 for
// public bodies (commune, epci, departement, region, publique…),
// associations and the ESS, 2 for private actors (privee, private,
// entreprise…), 0 when the type says neither.
func PhaseOfType(typ string) int {
	switch normalizeColumn(typ) {
	case "commune", "epci", "departement", "region", "publique", "public", "collectivite", "collectivite_territoriale",
		"etablissement_public", "association", "ess", "scic", "scop", "mutuelle", "fondation", "gip":
		return PhasePublic
	case "privee", "prive", "private", "entreprise", "societe", "sas", "sarl", "sa":
		return PhasePrivate
	}
	return PhaseUnknown
}

// ParsePhase parses a phase column: 1 or 2.
func ParsePhase(s string) (int, error) {
	switch strings.TrimSpace(s) {
	case "1":
		return PhasePublic, nil
	case "2":
		return PhasePrivate, nil
	}
	return 0, fmt.Errorf("%s is not a phase (want 1 for public bodies and associations, 2 for private actors)", values.Quote(s))
}

// splitDepartements splits a list of département codes written "75;92",
// "75,92", "75|92" or "75 92".
func splitDepartements(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '|' || r == ' ' })
}

// candidateProcess validates the recruitment columns of a candidate record
// (available_from, departements) into c; ok is false when an error was
// recorded.
func (lc *loadContext) candidateProcess(r *rawRecord, c *Candidate) bool {
	ok := true
	if s := r.vals[roleAvailable]; s != "" {
		d, err := ParseDate(s)
		if err != nil {
			lc.fail(r.pos, "available_from", "available_from %v", err)
			ok = false
		}
		c.AvailableFrom = d
	}
	if s := r.vals[roleWished]; s != "" {
		codes := splitDepartements(s)
		if len(codes) > MaxWishedDepartements {
			lc.fail(r.pos, "departements", "%d départements wished, more than %d", len(codes), MaxWishedDepartements)
			return false
		}
		seen := map[string]bool{}
		for _, code := range codes {
			dep := NormalizeDep(code)
			if _, known := lc.deps[dep]; !known {
				lc.fail(r.pos, "departements", "unknown département code %q in the départements wished", code)
				ok = false
				continue
			}
			if !seen[dep] {
				seen[dep] = true
				c.Departements = append(c.Departements, dep)
			}
		}
	}
	return ok
}

// structureProcess validates the recruitment columns of a structure record
// (mission_start, phase) into s, deriving the phase from the type when the
// file gives none; ok is false when an error was recorded.
func (lc *loadContext) structureProcess(r *rawRecord, s *Structure) bool {
	ok := true
	if v := r.vals[roleMissionStart]; v != "" {
		d, err := ParseDate(v)
		if err != nil {
			lc.fail(r.pos, "mission_start", "mission_start %v", err)
			ok = false
		}
		s.MissionStart = d
	}
	s.Phase = PhaseOfType(s.Type)
	if v := r.vals[rolePhase]; v != "" {
		p, err := ParsePhase(v)
		if err != nil {
			lc.fail(r.pos, "phase", "phase %v", err)
			ok = false
		}
		s.Phase = p
	}
	return ok
}

// formatPhase writes a phase, "" when unknown.
func formatPhase(p int) string {
	if p == PhaseUnknown {
		return ""
	}
	return strconv.Itoa(p)
}
