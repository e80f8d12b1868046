package valid

import (
	"testing"

	"github.com/maillage/maillage/geo/internal/geotest"
	"github.com/paulmach/orb"
)

// ringSquare returns the closed counter-clockwise ring of the box
// [x0, x1] × [y0, y1].
func ringSquare(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// communesFixture is the real 2018 commune boundaries with their INSEE codes.
type communesFixture struct {
	codes  []string
	shapes []orb.MultiPolygon
}

// realCommunes returns the real communes, or skips the test without the data.
func realCommunes(tb testing.TB) communesFixture {
	tb.Helper()
	codes, shapes := geotest.Communes(tb)
	return communesFixture{codes, shapes}
}
