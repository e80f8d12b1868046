package process

// Names the external tests of this package read.
type (
	MatchView     = matchView
	MatchPageView = matchPageView
	MatchTotals   = matchTotals
	DatasetList   = datasetList
	DatasetView   = datasetView
)
