package coverage

// Names the external tests of this package read.
type (
	SummaryView = coverageSummaryView
	AccessView  = accessView
)
