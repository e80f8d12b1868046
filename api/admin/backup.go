package admin

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
)

// backupRoutes registers GET /v1/backup: a consistent copy of the state
// database (uploaded datasets and match results) taken while serving, for a
// national token only.
func (s *Handlers) backupRoutes(r gin.IRouter) {
	r.GET("/backup", httpx.Handle(s.backup))
}

// backupWriter is a store that can copy itself while in use
// (boltstore.Store).
type backupWriter interface {
	WriteTo(w io.Writer) (int64, error)
}

// baseStore returns the store under the decorators wrapping st (the
// metrics' timing, internal/metrics), which declare themselves with an
// Unwrap method: the backup needs the bbolt store itself.
func baseStore(st data.Store) data.Store {
	for {
		u, ok := st.(interface{ Unwrap() data.Store })
		if !ok {
			return st
		}
		st = u.Unwrap()
	}
}

func (s *Handlers) backup(c *gin.Context) error {
	if !httpx.ScopeFrom(c).National {
		return &httpx.Error{Status: http.StatusForbidden, Code: httpx.CodeForbidden, Message: "a backup holds every département: it needs a national token"}
	}
	store := baseStore(s.env.Registry.Store())
	bw, ok := store.(backupWriter)
	if !ok {
		msg := "the server keeps its datasets in memory (no --state folder): nothing to back up"
		if _, mem := store.(*data.MemoryStore); !mem {
			// pgstore: the database is the operators', backed up with their tools.
			msg = "the datasets are kept in PostgreSQL (--store): back up its database with pg_dump or the cluster's own backups"
		}
		return &httpx.Error{Status: http.StatusNotFound, Code: httpx.CodeNotFound, Message: msg}
	}
	name := fmt.Sprintf("maillage-datasets-%s.db", time.Now().UTC().Format("20060102T150405Z"))
	c.Header("Content-Type", "application/octet-stream")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	if _, err := bw.WriteTo(c.Writer); err != nil {
		// Headers are gone: the client sees a truncated body; log it.
		s.env.Logger.Error("backup failed", "err", err)
	}
	return nil
}
