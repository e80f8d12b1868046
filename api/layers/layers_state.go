package layers

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// mapStates holds the map state of the engine in service and of the one
// before it, for the requests still running on it after a reload: each
// request finds the map layers, coverage and tiles of its own engine.
type mapStates struct {
	cur  atomic.Pointer[State] // read without the lock by most requests
	mu   sync.Mutex            // guards the changes of cur and prev
	prev *State
}

// stateFor returns the map state of engine e, building it on first use.
// A request of an engine older than the last two (it ran across two
// reloads) gets a state of its own, built for it and dropped after.
func (s *Handlers) stateFor(e *matching.Engine) *State {
	ms := &s.states
	if m := ms.cur.Load(); m != nil && m.e == e {
		return m
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	cur := ms.cur.Load()
	switch {
	case cur != nil && cur.e == e:
		return cur
	case ms.prev != nil && ms.prev.e == e:
		return ms.prev
	}
	m := &State{e: e, log: s.env.Logger, dataDir: s.dataDir}
	switch t := territoryOf(e); {
	case cur != nil && territoryOf(cur.e) == t:
		m.terr = cur.terr
	case ms.prev != nil && territoryOf(ms.prev.e) == t:
		m.terr = ms.prev.terr
	default:
		m.terr = &territoryMaps{t: t}
	}
	if cur == nil || s.env.Registry == nil || s.env.Registry.Engine() == e {
		ms.prev = cur
		ms.cur.Store(m)
	}
	return m
}

// DropPrevious forgets the map state of the engine before the one in
// service, and with it that engine (its territory, grid, layers and tile
// cache, hundreds of MB): called a while after a reload, once the
// requests that started on the old engine are done, so that the next
// reload does not build a third engine beside two. A request still running
// on the old engine then gets a state of its own (stateFor): same answers.
func (s *Handlers) DropPrevious() {
	s.Current() // the engine in service's state becomes cur, the one it replaced prev
	s.states.mu.Lock()
	s.states.prev = nil
	s.states.mu.Unlock()
}

// StateOf returns the map state of the request's engine.
func (s *Handlers) StateOf(c *gin.Context) *State { return s.stateFor(s.env.EngineOf(c)) }

// Current returns the map state of the engine in service (outside
// requests: preparing and warming the maps).
func (s *Handlers) Current() *State {
	if s.env.Registry == nil {
		return s.stateFor(nil)
	}
	return s.stateFor(s.env.Registry.Engine())
}

// territoryOf returns e's territory (nil for a nil engine, as in tests of
// routes that need none).
func territoryOf(e *matching.Engine) *data.Territory {
	if e == nil {
		return nil
	}
	return e.Territory()
}

// State is what the map layers of one engine share: the registry, the
// national coverage at the default reach and the administrative
// boundaries, both computed on first use, and the tile cache. A reload
// gives a new engine, hence a new State (mapStates): nothing of an old
// engine is served with a new one.
type State struct {
	e       *matching.Engine
	log     *slog.Logger
	dataDir string // read for the département and région boundaries ("": they answer 503)

	layersOnce sync.Once
	layers     *maplayers.Registry

	covOnce     sync.Once
	cov         *coverage.Coverage // without its Communes (mapCoverage)
	communeFigs []communeFigures   // by commune id: what the communes layer shows of cov's communes
	covErr      error

	accOnce sync.Once
	acc     []communeAccess // by commune id (mapAccess); nil when the engine has no built-in structures

	tiles tileCache

	// terr is what derives from the territory alone, shared with the
	// map states of later engines over the same territory (a reload of the
	// layers keeps the territory): the boundaries and the topology, whose
	// build costs seconds.
	terr *territoryMaps
}

// territoryMaps are the map parts of one territory.
type territoryMaps struct {
	t *data.Territory

	shapesOnce sync.Once
	shapes     data.AdminShapes
	shapesErr  error

	topoOnce sync.Once
	topo     *communeTopology
}
