package geo

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/paulmach/orb"
)

// InputsKey is a cache key for BuildGrid's inputs themselves (every vertex,
// representative point and population, the resolution, and the rule placing
// points on boundaries in communes, boundaryRule), so that a cached
// grid is reused only when the grid it would build is the same, whatever
// changed in the code that prepared the inputs. It hashes about 35 MB for
// France with CRC-32C (hardware-accelerated), a few milliseconds; the key is
// not meant to resist deliberate collisions.
func InputsKey(shapes []orb.MultiPolygon, reps []orb.Point, pops []int, res int) string {
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	buf := make([]byte, 0, 1<<16)
	flush := func() {
		h.Write(buf)
		buf = buf[:0]
	}
	put := func(v uint64) {
		if len(buf)+8 > cap(buf) {
			flush()
		}
		buf = binary.LittleEndian.AppendUint64(buf, v)
	}
	var vertices uint64
	put(uint64(res))
	put(boundaryRule)
	put(uint64(len(shapes)))
	for i, mp := range shapes {
		put(uint64(len(mp)))
		for _, poly := range mp {
			put(uint64(len(poly)))
			for _, ring := range poly {
				put(uint64(len(ring)))
				for _, p := range ring {
					put(math.Float64bits(p[0]))
					put(math.Float64bits(p[1]))
				}
				vertices += uint64(len(ring))
			}
		}
		if i < len(reps) {
			put(math.Float64bits(reps[i][0]))
			put(math.Float64bits(reps[i][1]))
		}
		if i < len(pops) {
			put(uint64(pops[i]))
		}
	}
	flush()
	return fmt.Sprintf("in-%08x-%d-%d", h.Sum32(), len(shapes), vertices)
}
