package layers

import (
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
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
