package data

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/maillage/maillage/data/textio"
)

// ShippedCOGRelease is the decoupage-administratif release of the shipped
// COG files (COGCommunesFile…).
const ShippedCOGRelease = "6.0.0"

// COGPrefix starts the name of every file of a decoupage-administratif release.
const COGPrefix = "decoupage-administratif-"

// COGFile returns the name of one file of a decoupage-administratif
// release: part is "communes", "departements", "regions" or "epci"
// (COGFile(ShippedCOGRelease, "communes") is COGCommunesFile).
func COGFile(release, part string) string {
	return COGPrefix + release + "-" + part + ".json.gz"
}

// COGRelease returns the newest decoupage-administratif release of dir: the
// highest version (compared number by number, "6.10.0" after "6.9.1") with a
// communes file, plain or gzip. A folder holding the shipped 6.0.0 files and
// a newer release's reads the newer one, so the commune list of a new
// 1 January is picked up by dropping its files next to the old ones. It
// returns ShippedCOGRelease when dir holds no release (the loaders then
// report the missing files).
func COGRelease(dir string) (string, error) {
	var found []string
	for _, pat := range []string{"-communes.json", "-communes.json.gz"} {
		ms, err := filepath.Glob(filepath.Join(dir, COGPrefix+"*"+pat))
		if err != nil {
			return "", err
		}
		for _, m := range ms {
			v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), COGPrefix), pat)
			if _, ok := releaseNumbers(v); ok {
				found = append(found, v)
			}
		}
	}
	if len(found) == 0 {
		return ShippedCOGRelease, nil
	}
	return slices.MaxFunc(found, compareReleases), nil
}

// releaseNumbers parses a dotted release number ("6.0.0").
func releaseNumbers(v string) ([]int, bool) {
	parts := strings.Split(v, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// compareReleases orders release numbers number by number.
func compareReleases(a, b string) int {
	na, _ := releaseNumbers(a)
	nb, _ := releaseNumbers(b)
	return slices.Compare(na, nb)
}

// cogFilePath resolves one part of the newest release of dir.
func cogFilePath(dir, part string) (string, error) {
	rel, err := COGRelease(dir)
	if err != nil {
		return "", fmt.Errorf("cog release in %s: %w", dir, err)
	}
	return textio.FindFile(dir, COGFile(rel, part))
}
