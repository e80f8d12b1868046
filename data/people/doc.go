// Package people reads, checks and writes the records of the recruitment
// of conseillers numériques: candidates and host structures from CSV, JSON
// or GeoJSON uploads (LoadCandidates, LoadStructures, WriteCandidatesCSV,
// WriteStructuresCSV), the recruitment columns and their dates and phases,
// and the recruitment history's events (RecruitmentEvent,
// RecruitmentStore). The points of a batch lookup (ReadPoints) are read by
// the same record reader.
//
// Every file is read as bounded text by package data/textio and its values
// checked by data/values; a file with any invalid record is rejected whole
// with a *LoadErrors naming file, line (or element, feature) and column.
// Communes are resolved through the Places interface, which
// *data.Territory satisfies: the dependencies point one way, data → people.
package people
