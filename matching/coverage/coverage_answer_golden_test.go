package coverage_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/maillage/maillage/matching/coverage"
)

// TestCoverageAnswerGolden pins the whole answer of a few queries over the
// real data (every commune, area, gap zone and rural mairie, as JSON) to
// the SHA-256 taken before the national answer was made faster (issue
// 17: one-walk gap zones, the communes' figures in one array, the areas'
// rankings without allocation): speed must not move a byte. A change meant
// to alter answers updates the sums from the log of
// `go test ./matching/coverage -run TestCoverageAnswerGolden -v`.
func TestCoverageAnswerGolden(t *testing.T) {
	e := coverageEngine(t)
	for _, g := range []struct {
		name string
		q    coverage.Query
		sum  string
	}{
		{"national", coverage.Query{},
			"133ee08e0d38fe7537139db1c87bebbc7bdc18628762eaa7339604b64822f0b6"},
		{"national 10 km", coverage.Query{Reach: reachPtr(coverage.ReachKm(10))},
			"6d67aedbf0749a587f65e7461b923f3be67ec95890b3cf02ee3650c5a9c82775"},
		{"national 20 min by zrr", coverage.Query{Reach: reachPtr(coverage.ReachMinutes(20, coverage.TravelModel{})), RankBy: coverage.RankByZRR},
			"b2100039807e85e803d4ecb6197be600a3d0b7ceb8e171d8ee6fa64ea96f5d58"},
		{"lozère 5 km", coverage.Query{Departement: "48", Reach: reachPtr(coverage.ReachKm(5))},
			"4cf5ee9c86b1f9a7b10300e736be1b31751003a2a88feecf1174418f572e34cf"},
		{"occitanie 8 km by fragility", coverage.Query{Region: "76", Reach: reachPtr(coverage.ReachKm(8)), RankBy: coverage.RankByFragility},
			"67e6766a750abed11daaf87c8a6ae1562db9fe4ceedda0f004a7ef7d7f6fed33"},
		{"national two layers, no gaps", coverage.Query{Layers: []string{coverage.DefaultLayer, "cnfs-permanences"}, NoGaps: true},
			"0dac4a2dfa5fd32222d7bf14bb8fb35f4f5c349f4bc08ab4bd52cd59f51d7c69"},
	} {
		cv := mustCoverage(t, e, g.q)
		b, err := json.Marshal(cv)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		sum := hex.EncodeToString(h[:])
		t.Logf("{%q, ..., %q},", g.name, sum)
		if sum != g.sum {
			t.Errorf("%s: answer sum %s, want %s", g.name, sum, g.sum)
		}
	}
}

// TestCoverageNoCommunes checks that an answer without its communes
// (Query.NoCommunes) is the full answer with Communes nil, byte for byte,
// twice in a row so that the second reuses the first one's buffer, and
// with a full answer in between that must not see the buffer.
func TestCoverageNoCommunes(t *testing.T) {
	e := coverageEngine(t)
	for _, tc := range []struct {
		name string
		q    coverage.Query
	}{
		{"national", coverage.Query{}},
		{"national 10 km no gaps", coverage.Query{Reach: reachPtr(coverage.ReachKm(10)), NoGaps: true}},
		{"lozère 5 km", coverage.Query{Departement: "48", Reach: reachPtr(coverage.ReachKm(5))}},
		{"occitanie 8 km by fragility", coverage.Query{Region: "76", Reach: reachPtr(coverage.ReachKm(8)), RankBy: coverage.RankByFragility}},
	} {
		full := mustCoverage(t, e, tc.q)
		full.Communes = nil
		want, err := json.Marshal(full)
		if err != nil {
			t.Fatal(err)
		}
		lean := tc.q
		lean.NoCommunes = true
		first := mustCoverage(t, e, lean)
		mustCoverage(t, e, coverage.Query{Reach: reachPtr(coverage.ReachKm(3))}) // another answer in between
		second := mustCoverage(t, e, lean)
		for i, cv := range []*coverage.Coverage{first, second} {
			if cv.Communes != nil {
				t.Errorf("%s: %d communes with NoCommunes", tc.name, len(cv.Communes))
			}
			got, err := json.Marshal(cv)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("%s (answer %d): answer without communes differs from the full answer", tc.name, i+1)
			}
		}
	}
}
