package data

import (
	"strings"
	"testing"
)

// TestFoldName checks foldName against the strings.Replacer it replaced,
// on program names, itinérance values and every accent it folds.
func TestFoldName(t *testing.T) {
	old := func(s string) string {
		return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
			"ô", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c").Replace(strings.ToLower(strings.TrimSpace(s)))
	}
	for _, s := range []string{"", "  ", "Conseillers numériques", " Aidants Connect ", "France Services",
		"Itinérant", "itinerant", "ÉÈÊËÀÂÎÏÔÙÛÜÇ", "éèêëàâîïôùûüç", "Crème brûlée à l'île", "Noël ça où",
		"ŒUVRE Ÿ ñ", "abc-123_XYZ"} {
		if got, want := foldName(s), old(s); got != want {
			t.Errorf("foldName(%q) = %q, want %q", s, got, want)
		}
	}
}

// BenchmarkFoldName is the folding of a program name, once per site read.
func BenchmarkFoldName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		foldName("Conseillers numériques")
		foldName("itinerant")
	}
}
