package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/recruit"
	"github.com/maillage/maillage/matching/registry"
)

// recruitFixture is a server over the real engine with a registry and
// store of its own (the recruitment history of one test must not fix
// pairs in another's matches), a national token, one scoped to the Creuse
// (23) and one to the Haute-Vienne (87), and candidates and structures of
// both départements, with dates and phases.
type recruitFixture struct {
	*accessFixture
	in87     string // token scoped to 87
	candRows []people.Candidate
	structs  []people.Structure
	match    string
}

func newRecruitFixture(t *testing.T) *recruitFixture {
	t.Helper()
	e := apitest.Real(t).Registry().Engine()
	f := &recruitFixture{accessFixture: &accessFixture{}}
	var tokens []access.Token
	for _, x := range []struct {
		secret *string
		scope  string
	}{{&f.national, "national"}, {&f.scoped, "departement:23"}, {&f.in87, "departement:87"}} {
		*x.secret, _ = access.NewToken()
		sc, err := access.ParseScope(x.scope)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, access.Token{Hash: access.HashToken(*x.secret), Scope: sc, Name: "token " + x.scope})
	}
	f.srv = api.New(registry.New(data.NewMemoryStore(), e), api.Config{Tokens: access.NewTokenSet(tokens)})
	cands, structs := synth.Synthesize(e.Territory(), 40000, 8000, 21)
	for _, c := range cands {
		if c.Departement == "23" || c.Departement == "87" {
			f.candRows = append(f.candRows, c)
		}
	}
	for _, s := range structs {
		if s.Departement == "23" || s.Departement == "87" {
			f.structs = append(f.structs, s)
		}
	}
	var cb, sb bytes.Buffer
	if err := people.WriteCandidatesCSV(&cb, f.candRows); err != nil {
		t.Fatal(err)
	}
	if err := people.WriteStructuresCSV(&sb, f.structs); err != nil {
		t.Fatal(err)
	}
	f.accessFixture.cands = f.upload(t, f.national, "candidates", cb.String(), http.StatusCreated)
	f.accessFixture.structs = f.upload(t, f.national, "structures", sb.String(), http.StatusCreated)
	var m struct {
		ID string `json:"id"`
	}
	body := fmt.Sprintf(`{"candidates":%q,"structures":%q}`, f.accessFixture.cands, f.accessFixture.structs)
	if code := f.call(t, f.national, "POST", "/v1/match", body, &m); code != http.StatusCreated {
		t.Fatalf("match: %d", code)
	}
	f.match = m.ID
	return f
}

// assignments returns the match's assignments.
func (f *recruitFixture) assignments(t *testing.T, id string) []pairing.Assignment {
	t.Helper()
	var v struct {
		Items []pairing.Assignment `json:"items"`
	}
	if code := f.call(t, f.national, "GET", "/v1/match/"+id+"?part=assignments&limit=10000", "", &v); code != http.StatusOK {
		t.Fatalf("match %s: %d", id, code)
	}
	return v.Items
}

// depOf returns the département of structure id.
func (f *recruitFixture) depOf(id string) string {
	for _, s := range f.structs {
		if s.ID == id {
			return s.Departement
		}
	}
	return ""
}

func TestRecruitmentFlow(t *testing.T) {
	f := newRecruitFixture(t)
	as := f.assignments(t, f.match)
	if len(as) < 3 {
		t.Fatalf("only %d assignments", len(as))
	}
	a := as[0]
	url := "/v1/recruitments/" + a.Structure + "/" + a.Candidate
	var pr recruit.Pair
	var e apitest.ErrorBody
	// match omitted: the pair is in one stored match.
	for _, st := range []string{"interessee", "recrutee"} {
		if code := f.call(t, f.national, "PATCH", url, `{"status":"`+st+`","comment":"entretien le 12"}`, &pr); code != http.StatusOK {
			t.Fatalf("PATCH %s: %d", st, code)
		}
	}
	if pr.Status != "recrutee" || pr.By != "token national" || len(pr.History) != 2 || pr.Match != f.match {
		t.Fatalf("pair %+v", pr)
	}
	// recrutee → proposee: 409 naming the current status.
	if code := f.call(t, f.national, "PATCH", url, `{"status":"proposee"}`, &e); code != http.StatusConflict ||
		e.Error != httpx.CodeConflict || !strings.Contains(e.Message, "recrutee") {
		t.Fatalf("illegal move: %d %+v", code, e)
	}
	for _, body := range []string{`{"status":"embauchee"}`, `{"status":"interessee","extra":1}`, `not json`} {
		if code := f.call(t, f.national, "PATCH", url, body, &e); code != http.StatusBadRequest {
			t.Fatalf("PATCH %s: %d %+v", body, code, e)
		}
	}
	// The recruited candidate cannot be recruited by another structure.
	other := as[1]
	url2 := "/v1/recruitments/" + other.Structure + "/" + a.Candidate
	body := fmt.Sprintf(`{"status":"interessee","candidates":%q,"structures":%q}`, f.accessFixture.cands, f.accessFixture.structs)
	if code := f.call(t, f.national, "PATCH", url2, body, &pr); code != http.StatusOK {
		t.Fatalf("PATCH another structure interessee: %d", code)
	}
	if code := f.call(t, f.national, "PATCH", url2, strings.Replace(body, "interessee", "recrutee", 1), &e); code != http.StatusConflict ||
		!strings.Contains(e.Message, "already recruited") {
		t.Fatalf("second recruitment: %d %+v", code, e)
	}

	// An unfavourable opinion on another structure excludes it from the
	// re-match; the recruited pair stays.
	s2 := as[2].Structure
	var op recruit.Opinion
	obody := fmt.Sprintf(`{"avis":"defavorable","comment":"hors cadre","structures":%q}`, f.accessFixture.structs)
	if code := f.call(t, f.national, "PUT", "/v1/recruitments/opinions/"+s2, obody, &op); code != http.StatusOK || op.Avis != "defavorable" {
		t.Fatalf("PUT opinion: %d %+v", code, op)
	}
	var m struct {
		ID         string `json:"id"`
		FixedPairs int    `json:"fixed_pairs"`
	}
	mbody := fmt.Sprintf(`{"candidates":%q,"structures":%q}`, f.accessFixture.cands, f.accessFixture.structs)
	if code := f.call(t, f.national, "POST", "/v1/match", mbody, &m); code != http.StatusCreated || m.FixedPairs != 1 {
		t.Fatalf("re-match: %d %+v", code, m)
	}
	kept := false
	for _, x := range f.assignments(t, m.ID) {
		if x.Structure == s2 {
			t.Fatalf("structure %s with an unfavourable opinion got %s", s2, x.Candidate)
		}
		kept = kept || x.Candidate == a.Candidate && x.Structure == a.Structure && x.Fixed
	}
	if !kept {
		t.Fatalf("recruited pair %s → %s not kept", a.Candidate, a.Structure)
	}
	// match omitted is now ambiguous: the pair is in both matches.
	if code := f.call(t, f.national, "PATCH", url, `{"status":"desistement"}`, &e); code != http.StatusBadRequest ||
		!strings.Contains(e.Message, "give match") {
		t.Fatalf("ambiguous pair: %d %+v", code, e)
	}

	// Dashboard and export.
	var dash struct {
		Departements []recruit.DashboardRow `json:"departements"`
	}
	q := "?candidates=" + f.accessFixture.cands + "&structures=" + f.accessFixture.structs
	if code := f.call(t, f.national, "GET", "/v1/recruitments/dashboard"+q, "", &dash); code != http.StatusOK || len(dash.Departements) != 2 {
		t.Fatalf("dashboard: %d %+v", code, dash)
	}
	filled, posts := 0, 0
	for _, r := range dash.Departements {
		filled += r.PostsFilled
		posts += r.PostsRequested
	}
	want := 0
	for _, s := range f.structs {
		want += s.Posts
	}
	if filled != 1 || posts != want {
		t.Fatalf("dashboard: %d filled, %d posts; want 1 and %d", filled, posts, want)
	}
	code, csv := f.rawGet(t, f.national, "/v1/recruitments/dashboard?match="+f.match+"&format=csv&departement="+f.depOf(a.Structure))
	if code != http.StatusOK || !strings.HasPrefix(csv, "departement,phase,") || strings.Count(csv, "\n") < 3 {
		t.Fatalf("dashboard csv: %d\n%s", code, csv)
	}
	code, csv = f.rawGet(t, f.national, "/v1/recruitments/opinions?format=csv&structures="+f.accessFixture.structs+"&departement="+f.depOf(s2))
	if code != http.StatusOK || !strings.Contains(csv, s2+",") || !strings.Contains(csv, "defavorable,hors cadre,token national,") {
		t.Fatalf("opinions csv: %d\n%.500s", code, csv)
	}
	var hist recruit.Pair
	if code := f.call(t, f.national, "GET", url, "", &hist); code != http.StatusOK || len(hist.History) != 2 || hist.History[1].From != "interessee" {
		t.Fatalf("history: %d %+v", code, hist)
	}
}

// rawGet returns the status and body of a GET.
func (f *recruitFixture) rawGet(t *testing.T, token, url string) (int, string) {
	t.Helper()
	lf := &leakFixture{accessFixture: f.accessFixture}
	return lf.raw(t, token, "GET", url, "")
}

// TestRecruitmentScopes extends the cross-endpoint scope checks to the
// recruitment routes: a token of 23 neither reads nor changes pairs,
// opinions or dashboards of 87, and the token of 87 can (the refusals
// hide real data).
func TestRecruitmentScopes(t *testing.T) {
	f := newRecruitFixture(t)
	var in23, in87 pairing.Assignment
	for _, a := range f.assignments(t, f.match) {
		dep := f.depOf(a.Structure)
		c := ""
		for _, r := range f.candRows {
			if r.ID == a.Candidate {
				c = r.Departement
			}
		}
		if dep == "23" && c == "23" && in23.Structure == "" {
			in23 = a
		}
		if dep == "87" && c == "87" && in87.Structure == "" {
			in87 = a
		}
	}
	if in23.Structure == "" || in87.Structure == "" {
		t.Fatal("no pair wholly in 23 or in 87")
	}
	ds := f.accessFixture.structs
	pair87 := "/v1/recruitments/" + in87.Structure + "/" + in87.Candidate
	for _, tc := range []struct {
		method, url, body string
		want              int
	}{
		{"PATCH", pair87, `{"status":"interessee"}`, http.StatusNotFound},
		{"PATCH", pair87, `{"status":"recrutee","match":"` + f.match + `"}`, http.StatusNotFound},
		{"PUT", "/v1/recruitments/opinions/" + in87.Structure, `{"avis":"favorable","structures":"` + ds + `"}`, http.StatusNotFound},
		{"GET", "/v1/recruitments/dashboard?match=" + f.match + "&departement=87", "", http.StatusForbidden},
		{"GET", "/v1/recruitments/opinions?structures=" + ds + "&departement=87", "", http.StatusForbidden},
		{"GET", "/v1/recruitments/structures?structures=" + ds + "&departement=87", "", http.StatusForbidden},
		{"GET", "/v1/recruitments/structures?match=" + f.match + "&departement=87", "", http.StatusForbidden},
	} {
		lf := &leakFixture{accessFixture: f.accessFixture}
		code, body := lf.raw(t, f.scoped, tc.method, tc.url, tc.body)
		if code != tc.want {
			t.Fatalf("23 token: %s %s: %d %s, want %d", tc.method, tc.url, code, body, tc.want)
		}
		if code, body := lf.raw(t, f.in87, tc.method, tc.url, tc.body); code != http.StatusOK {
			t.Fatalf("87 token: %s %s: %d %s: the refusal proves nothing", tc.method, tc.url, code, body)
		}
	}
	// A pair of 87 and a pair that exists nowhere get the same answer.
	lf := &leakFixture{accessFixture: f.accessFixture}
	code, got := lf.raw(t, f.scoped, "PATCH", pair87, `{"status":"desistement"}`)
	fake := "/v1/recruitments/no-such-s/no-such-c"
	fcode, none := lf.raw(t, f.scoped, "PATCH", fake, `{"status":"desistement"}`)
	strip := strings.NewReplacer(in87.Structure, "S", in87.Candidate, "C", "no-such-s", "S", "no-such-c", "C")
	if code != fcode || strip.Replace(got) != strip.Replace(none) {
		t.Fatalf("a foreign pair: %d %s\na pair that exists nowhere: %d %s", code, got, fcode, none)
	}
	// Now the pair of 87 has a history: the 23 token still cannot read it.
	var e apitest.ErrorBody
	if code := f.call(t, f.scoped, "GET", pair87, "", &e); code != http.StatusNotFound {
		t.Fatalf("23 token reads a pair of 87: %d", code)
	}
	if code := f.call(t, f.in87, "GET", pair87, "", &e); code != http.StatusOK {
		t.Fatalf("87 token reads its pair: %d", code)
	}
	// What the 23 token reads holds only 23.
	for _, url := range []string{
		"/v1/recruitments/dashboard?match=" + f.match,
		"/v1/recruitments/opinions?structures=" + ds,
		"/v1/recruitments/structures?structures=" + ds,
		"/v1/recruitments/structures?match=" + f.match,
	} {
		var body any
		if code := f.call(t, f.scoped, "GET", url, "", &body); code != http.StatusOK {
			t.Fatalf("GET %s: %d", url, code)
		}
		n := 0
		leakWalker(body, "", func(path, dep string) {
			n++
			if dep != "23" {
				t.Fatalf("GET %s with the 23 token shows département %s at %s", url, dep, path)
			}
		})
		if n == 0 {
			t.Fatalf("GET %s: nothing of 23", url)
		}
	}
	// And it may move its own pair.
	if code := f.call(t, f.scoped, "PATCH", "/v1/recruitments/"+in23.Structure+"/"+in23.Candidate, `{"status":"interessee"}`, nil); code != http.StatusOK {
		t.Fatalf("23 token moves its pair: %d", code)
	}
}

// TestSuggestionsSayWhatTheyLeaveOut checks the excluded pairs of the
// suggestion answers under the recruitment process: a structure with an
// unfavourable opinion leaves every candidate in reach out for that
// reason, a recruited candidate leaves the other structures' lists as
// candidate_recruited, and with the Creuse's token no excluded pair is a
// candidate of another département.
func TestSuggestionsSayWhatTheyLeaveOut(t *testing.T) {
	f := newRecruitFixture(t)
	as := f.assignments(t, f.match)
	a := as[0]
	url := "/v1/recruitments/" + a.Structure + "/" + a.Candidate
	for _, st := range []string{"interessee", "recrutee"} {
		if code := f.call(t, f.national, "PATCH", url, `{"status":"`+st+`"}`, nil); code != http.StatusOK {
			t.Fatalf("PATCH %s: %d", st, code)
		}
	}
	type answer struct {
		Items    []registry.CandidateSuggestion `json:"items"`
		Excluded registry.SuggestExclusions     `json:"excluded"`
	}
	q := "/suggestions?k=100&candidates=" + f.accessFixture.cands + "&structures=" + f.accessFixture.structs
	// The recruited candidate, as seen from the structures near it.
	var got answer
	found := false
	for _, s := range f.structs {
		if s.ID == a.Structure || found {
			continue
		}
		if code := f.call(t, f.national, "GET", "/v1/structures/"+s.ID+q, "", &got); code != http.StatusOK {
			t.Fatalf("suggestions of %s: %d", s.ID, code)
		}
		for _, p := range got.Excluded.Pairs {
			if p.ID == a.Candidate {
				found = true
				if p.Reason != registry.ReasonCandidateRecruited || got.Excluded.ByReason[registry.ReasonCandidateRecruited] != 1 {
					t.Errorf("structure %s: recruited candidate %s excluded as %q (%v)", s.ID, a.Candidate, p.Reason, got.Excluded.ByReason)
				}
			}
		}
	}
	if !found {
		t.Fatalf("recruited candidate %s in reach of no other structure's list", a.Candidate)
	}
	// An unfavourable opinion: every candidate in reach left out for it.
	s2 := as[1].Structure
	body := fmt.Sprintf(`{"avis":"defavorable","structures":%q}`, f.accessFixture.structs)
	if code := f.call(t, f.national, "PUT", "/v1/recruitments/opinions/"+s2, body, nil); code != http.StatusOK {
		t.Fatalf("PUT opinion: %d", code)
	}
	if code := f.call(t, f.national, "GET", "/v1/structures/"+s2+q, "", &got); code != http.StatusOK {
		t.Fatalf("suggestions of %s: %d", s2, code)
	}
	if len(got.Items) != 0 || got.Excluded.Total == 0 || got.Excluded.ByReason[recruit.ReasonDefavorable] != got.Excluded.Total {
		t.Errorf("structure %s with an unfavourable opinion: %d suggestions, excluded %v of %d", s2, len(got.Items), got.Excluded.ByReason, got.Excluded.Total)
	}
	// The Creuse's token: only its candidates, counted and listed.
	in23 := map[string]bool{}
	for _, c := range f.candRows {
		in23[c.ID] = c.Departement == "23"
	}
	listed, foreign := 0, 0
	for _, s := range f.structs {
		if s.Departement != "23" {
			continue
		}
		if code := f.call(t, f.scoped, "GET", "/v1/structures/"+s.ID+q, "", &got); code != http.StatusOK {
			t.Fatalf("23 token, suggestions of %s: %d", s.ID, code)
		}
		for _, p := range got.Excluded.Pairs {
			listed++
			if !in23[p.ID] {
				t.Fatalf("23 token: structure %s lists candidate %s of another département as excluded", s.ID, p.ID)
			}
		}
		var nat answer
		if code := f.call(t, f.national, "GET", "/v1/structures/"+s.ID+q, "", &nat); code != http.StatusOK {
			t.Fatalf("suggestions of %s: %d", s.ID, code)
		}
		for _, p := range nat.Excluded.Pairs {
			if !in23[p.ID] {
				foreign++
			}
		}
	}
	if listed == 0 || foreign == 0 {
		t.Errorf("the Creuse's structures list %d excluded pairs with its token, %d of other départements with a national one: the check proves nothing", listed, foreign)
	}
}
