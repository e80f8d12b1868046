package people

import (
	"fmt"
	"strings"

	"github.com/maillage/maillage/data/textio"
)

// MaxRowErrors is how many row errors a LoadErrors lists; further ones are
// only counted.
const MaxRowErrors = 100

// LoadErrors rejects a whole file: it lists its first MaxRowErrors invalid
// records and counts the others in More. Nothing of the file is loaded.
type LoadErrors struct {
	File   string            `json:"file"`
	Errors []textio.RowError `json:"errors"`
	More   int               `json:"more"` // errors beyond those listed
}

// Count returns the total number of errors, listed or not.
func (e *LoadErrors) Count() int { return len(e.Errors) + e.More }

// Error lists every recorded error, one per line.
func (e *LoadErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: file rejected, %d invalid record(s):", e.File, e.Count())
	for _, re := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(re.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", e.More)
	}
	return b.String()
}
