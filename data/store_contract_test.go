package data_test

import (
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/data/storetest"
)

func TestMemoryStoreContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) data.Store { return data.NewMemoryStore() })
}

func TestBoltStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s, err := boltstore.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
