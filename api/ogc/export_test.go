package ogc

// What the external tests of this package reach inside it.
type CollectionView = ogcCollectionView

// Conformance classes, link relations and paths the tests check against.
const (
	Base           = ogcBase
	ConfCore       = confCore
	ConfGeoJSON    = confGeoJSON
	ConfOAS30      = confOAS30
	ConfCRS        = confCRS
	CRS84          = crs84
	RelSchema      = relSchema
	RelQueryables  = relQueryables
	JSONSchema2020 = jsonSchema2020
)

// GeometryFormat is geometryFormat.
var GeometryFormat = geometryFormat
