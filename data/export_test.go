package data

// The fixtures of data's own tests, for its external tests (package
// data_test), which may import packages that import data (data/synth).
var (
	FixtureTerritory = fixtureTerritory
	PeopleTerritory  = peopleTerritory
)
