// Package data owns maillage's datasets: it loads, validates and reconciles
// the real open-data files (commune boundaries and populations, départements,
// régions, EPCI, France Services sites and other service-point layers,
// candidates and host structures) and reports, with counts, every record it
// could not reconcile. Nothing is dropped silently: a record that cannot be
// used is listed in a report with its file, line or feature, and reason.
package data
