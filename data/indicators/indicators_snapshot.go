package indicators

import (
	"fmt"
	"slices"

	json "github.com/goccy/go-json"

	"github.com/maillage/maillage/internal/flatbin"
)

// Encode appends the indicators and their report to w, for the engine
// snapshot (data/snapshot): codes in order with their ZRR class and
// fragility scores as flat arrays, the report as JSON.
func (ind Indicators) Encode(w *flatbin.Writer, rep IndicatorReport) error {
	codes := make([]string, 0, len(ind))
	for c := range ind {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	zrr := make([]string, len(codes))
	has := make([]uint8, len(codes))
	scores := make([]float64, 0, 6*len(codes))
	for i, c := range codes {
		v := ind[c]
		zrr[i] = v.ZRR
		f := Fragility{}
		if v.Fragility != nil {
			has[i], f = 1, *v.Fragility
		}
		scores = append(scores, f.Total, f.NoTHD, f.No4G, f.Poverty, f.Older65, f.NoDiploma)
	}
	w.Uint64(uint64(len(codes)))
	w.Strings(codes)
	w.Strings(zrr)
	flatbin.Put(w, has)
	flatbin.Put(w, scores)
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("indicators: %w", err)
	}
	w.Blob(b)
	return nil
}

// Decode reads indicators and their report written by Encode.
func Decode(r *flatbin.Reader) (Indicators, IndicatorReport, error) {
	var rep IndicatorReport
	n := r.Int(1 << 24)
	codes, zrr := r.Strings(), r.Strings()
	has, scores := flatbin.Get[uint8](r), flatbin.Get[float64](r)
	b := r.Blob()
	if err := r.Err(); err != nil {
		return nil, rep, fmt.Errorf("indicators: %w", err)
	}
	if len(codes) != n || len(zrr) != n || len(has) != n || len(scores) != 6*n {
		return nil, rep, fmt.Errorf("indicators: arrays of %d communes do not match", n)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, rep, fmt.Errorf("indicators: report: %w", err)
	}
	ind := make(Indicators, n)
	frag := make([]Fragility, n) // one allocation for every commune's scores
	for i, c := range codes {
		v := CommuneIndicators{ZRR: zrr[i]}
		if has[i] != 0 {
			s := scores[6*i : 6*i+6]
			frag[i] = Fragility{Total: s[0], NoTHD: s[1], No4G: s[2], Poverty: s[3], Older65: s[4], NoDiploma: s[5]}
			v.Fragility = &frag[i]
		}
		ind[c] = v
	}
	return ind, rep, nil
}
