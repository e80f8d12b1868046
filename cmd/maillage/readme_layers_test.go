package main

import (
	"path/filepath"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching/layerdiff"
	"github.com/maillage/maillage/matching/siting"
)

// layerDiffFig is a figure of `maillage layers diff france-services-2020
// france-services`.
func layerDiffFig(fn func(d *layerdiff.Diff) string) figure {
	return func(dd *docData) (string, error) {
		d, err := layerdiff.Compare(testContext(), dd.e, layerdiff.Query{From: data.LayerFranceServices2020,
			To: data.LayerFranceServices, NoCoverage: true})
		if err != nil {
			return "", err
		}
		return fn(d), nil
	}
}

// programmeFig is the number of places of one program in the conseillers
// numériques file read as the mediation standard (`programme = "*"`).
func programmeFig(programme string) figure {
	return func(dd *docData) (string, error) {
		ls, err := data.LoadMediationPlaces(filepath.Join(testData, data.CNFSPermanencesFile), dd.e.Territory(),
			[]data.ProgrammeLayer{{Name: "p", Programme: programme}})
		if err != nil {
			return "", err
		}
		return num(ls[0].Report.Loaded), nil
	}
}

// layerFigures are the figures of the README's "Your own data".
func layerFigures() map[string]figure {
	return map[string]figure{
		"diff-opened":    layerDiffFig(func(d *layerdiff.Diff) string { return num(d.Summary.Opened) }),
		"diff-closed":    layerDiffFig(func(d *layerdiff.Diff) string { return num(d.Summary.Closed) }),
		"diff-moved":     layerDiffFig(func(d *layerdiff.Diff) string { return num(d.Summary.Moved) }),
		"diff-renamed":   layerDiffFig(func(d *layerdiff.Diff) string { return num(d.Summary.Renamed) }),
		"diff-unchanged": layerDiffFig(func(d *layerdiff.Diff) string { return num(d.Summary.Unchanged) }),
		"diff-by-id":     layerDiffFig(func(d *layerdiff.Diff) string { return num(d.MatchedByID) }),
		"diff-20-gained": compareFig(20, func(s siting.AreaComparison) string { return num(s.GainedPopulation) }),
		"diff-20-lost":   compareFig(20, func(s siting.AreaComparison) string { return num(s.LostPopulation) }),
		"prog-cnfs":      programmeFig("Conseillers numériques"),
		"prog-fs":        programmeFig("France Services"),
		"prog-ac":        programmeFig("Aidants Connect"),
	}
}
