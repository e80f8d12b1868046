package boundaries

import "hash/maphash"

// Features remembers the features of a loaded collection by the bytes each
// was read from, so that a later load of a new version of the file (a
// reload) parses and validates only the features whose bytes changed and
// takes the others as they were: same Boundary, same shape slices, which
// the caller may then recognise by identity to reuse what it derived from
// them. A Features is read-only once built and safe for concurrent use.
type Features struct {
	seeds  [2]maphash.Seed
	byKey  map[featureKey]int32 // feature bytes → index in bounds
	bounds []Boundary
	reused int
}

// featureKey identifies the bytes of one feature: their length and two
// 64-bit hashes under independent seeds (a 128-bit key, so that two
// different features taken for the same one is not a practical concern).
type featureKey struct {
	n    int
	a, b uint64
}

// Reused returns how many features of the load that built f were taken
// from the previous load rather than parsed.
func (f *Features) Reused() int {
	if f == nil {
		return 0
	}
	return f.reused
}

// Len returns the number of features remembered.
func (f *Features) Len() int {
	if f == nil {
		return 0
	}
	return len(f.bounds)
}

// key returns the key of the feature bytes raw.
func (f *Features) key(raw []byte) featureKey {
	return featureKey{n: len(raw), a: maphash.Bytes(f.seeds[0], raw), b: maphash.Bytes(f.seeds[1], raw)}
}

// lookup returns the boundary read from the same bytes by the load that
// built f (nil f: none).
func (f *Features) lookup(k featureKey) (Boundary, bool) {
	if f == nil {
		return Boundary{}, false
	}
	i, ok := f.byKey[k]
	if !ok {
		return Boundary{}, false
	}
	return f.bounds[i], true
}

// newFeatures starts the Features of a load that follows prev (nil for a
// first load): the seeds are kept so that equal bytes give equal keys.
func newFeatures(prev *Features) *Features {
	f := &Features{}
	if prev != nil {
		f.seeds = prev.seeds
	} else {
		f.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	return f
}

// index records the boundaries of the load and their keys (the first of
// features with equal bytes wins).
func (f *Features) index(bounds []Boundary, keys []featureKey, reused int) {
	f.bounds, f.reused = bounds, reused
	f.byKey = make(map[featureKey]int32, len(keys))
	for i, k := range keys {
		if _, dup := f.byKey[k]; !dup {
			f.byKey[k] = int32(i)
		}
	}
}

// LoadReusing is Load taking from prev (the Features of the load in
// service, or nil) every feature whose bytes are unchanged instead of
// parsing it again. It also returns the Features of this load, for the
// next one. The boundaries are the same as Load's: a reused feature is the
// one parsed from the same bytes.
func LoadReusing(path string, prev *Features) ([]Boundary, *Features, error) {
	f := newFeatures(prev)
	bounds, err := load(path, f, prev)
	if err != nil {
		return nil, nil, err
	}
	return bounds, f, nil
}
