package httpx

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
)

// Format parses format= among allowed (the first is the default).
func Format(c *gin.Context, allowed ...string) (string, error) {
	f := c.DefaultQuery("format", allowed[0])
	return f, ParamError(param.Format(allowed...).Check(f))
}

// WriteTableCSV writes items through their presentation table as a UTF-8
// CSV download, as the CLI writes them.
func WriteTableCSV[T any](c *gin.Context, filename string, t present.Table[T], items []T) error {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Status(http.StatusOK)
	return t.WriteCSV(c.Writer, items)
}
