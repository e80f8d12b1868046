package data

import (
	"errors"
)

// ErrBadLayerFile is wrapped by the errors of an uploaded sites file that
// cannot be read at all (not the declared format, a column missing): the
// file is at fault, not the server.
var ErrBadLayerFile = errors.New("unreadable sites file")
