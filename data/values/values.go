// Package values is the one place where the values of uploaded files, API
// parameters and command-line flags are checked: the loaders (package data
// and data/people), api and cmd call these functions rather than strconv,
// so they all refuse the same things.
package values

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of the text values of candidate and structure files.
const (
	MaxIDBytes   = 200   // bytes of an id
	MaxNameBytes = 500   // bytes of a structure name
	MaxPosts     = 10000 // posts one structure may offer
	MaxMaxKm     = 500   // the largest max_km a candidate file may declare
)

// ParseDecimal parses a decimal number: an optional sign, digits with an
// optional fraction after a dot or a comma (the French decimal comma), an
// optional exponent (e or E). Unlike strconv.ParseFloat it refuses
// hexadecimal floats (0x1.dep0), Inf, NaN, underscores and surrounding
// spaces, and a value beyond float64 (1e400) is an error, not ±Inf.
func ParseDecimal(s string) (float64, error) {
	if !isDecimal(s) {
		return 0, fmt.Errorf("%s is not a decimal number", Quote(s))
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is beyond the range of numbers", Quote(s))
	}
	return v, nil // an underflow rounds to 0, as the value is then 0 to any precision used
}

// isDecimal checks the syntax ParseDecimal accepts.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == exp {
			return false
		}
	}
	return i == len(s)
}

// ParseLon parses a longitude in decimal degrees, within [-180, 180].
func ParseLon(s string) (float64, error) { return parseRange(s, -180, 180) }

// ParseLat parses a latitude in decimal degrees, within [-90, 90].
func ParseLat(s string) (float64, error) { return parseRange(s, -90, 90) }

func parseRange(s string, lo, hi float64) (float64, error) {
	v, err := ParseDecimal(s)
	if err != nil {
		return 0, err
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%s is out of range [%g, %g]", Quote(s), lo, hi)
	}
	return v, nil
}

// ParseMaxKm parses the distance a candidate accepts to travel, in
// (0, MaxMaxKm] km.
func ParseMaxKm(s string) (float64, error) {
	v, err := ParseDecimal(s)
	if err != nil {
		return 0, err
	}
	if v <= 0 || v > MaxMaxKm {
		return 0, fmt.Errorf("%s is out of range (0, %d] km", Quote(s), MaxMaxKm)
	}
	return v, nil
}

// ParsePosts parses the posts a structure offers: digits (an optional +
// sign), from 1 to MaxPosts.
func ParsePosts(s string) (int, error) {
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, fmt.Errorf("%s is not a whole number", Quote(s))
	}
	v, err := strconv.Atoi(digits)
	if err != nil || v > MaxPosts {
		return 0, fmt.Errorf("%s is more than %d, the most posts one structure may offer", Quote(s), MaxPosts)
	}
	if v < 1 {
		return 0, fmt.Errorf("%s is less than 1", Quote(s))
	}
	return v, nil
}

// CheckID checks an identifier: not empty, at most MaxIDBytes bytes of
// UTF-8 without control or invisible formatting characters (NUL, newline,
// right-to-left override U+202E, zero-width space…), which would make ids
// that look alike differ or hide what they are.
func CheckID(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	return checkText(s, MaxIDBytes)
}

// CheckName checks a name like CheckID, at most MaxNameBytes bytes; an
// empty name is allowed.
func CheckName(s string) error { return checkText(s, MaxNameBytes) }

// checkText checks the length and characters of a printable text.
func checkText(s string, maxBytes int) error {
	if len(s) > maxBytes {
		return fmt.Errorf("is %d bytes long, more than the %d allowed", len(s), maxBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", Quote(s))
	}
	for _, r := range s {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%s holds the control or invisible character %U: use printable characters only", Quote(s), r)
		}
	}
	return nil
}

// Quote quotes s for a message, cut to 40 bytes.
func Quote(s string) string { return strconv.Quote(Truncate(s, 40)) }

// Truncate cuts s to n bytes for a message, marking the cut with "…".
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n]) + "…"
}
