package cpu

import (
	"sync/atomic"
	"testing"
)

type countTask struct {
	items
	hits []atomic.Int64
}

func (c *countTask) run(w int) {
	for {
		_, ok := c.claim()
		if !ok {
			return
		}
		c.hits[w].Add(1)
	}
}

// TestPoolRunsEveryItemOnce: across many back-to-back ops every item is claimed exactly once and run
// returns only when all are done (the barrier).
func TestPoolRunsEveryItemOnce(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8} {
		p := newPool(n)
		c := &countTask{hits: make([]atomic.Int64, n)}
		for op := 0; op < 2000; op++ {
			items := 1 + op%17
			for i := range c.hits {
				c.hits[i].Store(0)
			}
			c.reset(items)
			p.run(c, items)
			var total int64
			for i := range c.hits {
				total += c.hits[i].Load()
			}
			if total != int64(items) {
				t.Fatalf("pool of %d, op %d: %d items run, want %d", n, op, total, items)
			}
		}
		p.close()
	}
}

// BenchmarkPoolRun measures the cost of one op on all workers (wake, claim, barrier) with no work in it:
// the per-op overhead a decode step pays a few hundred times per token.
func BenchmarkPoolRun(b *testing.B) {
	p := newPool(2)
	defer p.close()
	c := &countTask{hits: make([]atomic.Int64, 2)}
	for b.Loop() {
		c.reset(2)
		p.run(c, 2)
	}
}
