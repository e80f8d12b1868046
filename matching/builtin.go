package matching

import (
	"log/slog"
	"os"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
)

// BuiltinStructuresDataset is the id of the built-in host-structures
// dataset: the real structures of the first conseillers numériques
// (cnfs-structures-2021.json), read at load.
const BuiltinStructuresDataset = "cnfs-structures-2021"

// loadBuiltinStructures reads cnfs-structures-2021.json (plain or gzip)
// into p when the data folder holds it.
func loadBuiltinStructures(p *Parts, dir string, log *slog.Logger) error {
	path, err := textio.FindFile(dir, data.CNFSStructuresFile)
	if err != nil {
		log.Warn("built-in structures not loaded", "dataset", BuiltinStructuresDataset, "err", err)
		return nil
	}
	structs, rep, err := data.LoadCNFSStructures(path, p.Territory)
	if err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil {
		p.StructuresAt = st.ModTime().UTC()
	}
	p.Structures = map[string][]people.Structure{BuiltinStructuresDataset: structs}
	p.StructureReports = map[string]data.LoadReport{BuiltinStructuresDataset: rep}
	return nil
}

// StructuresAt returns when the file of the built-in structures was last
// modified (zero when none was read), the creation date of their dataset.
func (e *Engine) StructuresAt() time.Time { return e.structuresAt }
