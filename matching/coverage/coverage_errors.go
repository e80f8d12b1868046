package coverage

import "errors"

// Errors of the coverage analysis. They are wrapped with the offending name
// or value; test them with errors.Is. The API maps ErrUnknownLayer and
// ErrBadReach to 400 and the unknown areas to 404.
var (
	ErrUnknownLayer       = errors.New("unknown layer")
	ErrUnknownDepartement = errors.New("unknown département")
	ErrUnknownRegion      = errors.New("unknown région")
	ErrBadReach           = errors.New("invalid reach")
	ErrNoSites            = errors.New("no service point in the chosen layers")
	ErrTooManyCells       = errors.New("too many cells")
)
