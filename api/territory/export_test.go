package territory

// Names the external tests of this package read.
type (
	CommuneView = communeView
	SiteRef     = siteRef
)
