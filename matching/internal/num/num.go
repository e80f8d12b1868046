// Package num holds the rounding and ratio rules every analysis of
// matching presents its figures with.
package num

import "math"

// RoundPop rounds a sum of fractional inhabitants (geo.Grid spreads a
// commune's population in exact proportion to its cells) to whole
// inhabitants: the only rounding, once per figure presented.
func RoundPop(p float64) int { return int(math.Round(p)) }
