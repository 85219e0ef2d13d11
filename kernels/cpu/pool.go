package cpu

import (
	"sync"
	"sync/atomic"
)

// task is one parallel operation. run is called once on every worker (worker 0 is the calling goroutine);
// implementations claim work items through an embedded items counter until none are left. Tasks are
// preallocated structs owned by the Backend, so dispatching one allocates nothing.
type task interface {
	run(worker int)
}

// items hands out work item indices 0..n-1 to whichever worker asks first (dynamic load balancing: a worker
// that finishes early takes more).
type items struct {
	n    int64
	next atomic.Int64
}

func (it *items) reset(n int) {
	it.n = int64(n)
	it.next.Store(0)
}

func (it *items) claim() (int, bool) {
	i := it.next.Add(1) - 1
	return int(i), i < it.n
}

// pool is a persistent set of worker goroutines. run wakes them, works as worker 0 itself and returns when all
// are done (the barrier between ops). One op runs at a time (the Backend's mutex ensures it).
type pool struct {
	n    int
	wake []chan task
	wg   sync.WaitGroup
}

func newPool(n int) *pool {
	p := &pool{n: n}
	for i := 1; i < n; i++ {
		c := make(chan task, 1)
		p.wake = append(p.wake, c)
		go p.worker(i, c)
	}
	return p
}

func (p *pool) worker(i int, c chan task) {
	for t := range c {
		t.run(i)
		p.wg.Done()
	}
}

// run executes t on every worker; with nItems small it runs only on the caller (waking goroutines costs
// microseconds, more than tiny ops take).
func (p *pool) run(t task, nItems int) {
	if p.n == 1 || nItems <= 1 {
		t.run(0)
		return
	}
	helpers := min(p.n, nItems) - 1
	p.wg.Add(helpers)
	for _, c := range p.wake[:helpers] {
		c <- t
	}
	t.run(0)
	p.wg.Wait()
}

func (p *pool) close() {
	for _, c := range p.wake {
		close(c)
	}
	p.wake = nil
}
