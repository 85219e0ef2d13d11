package cpu

import (
	"runtime"
	"sync/atomic"
	"time"
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

// spinFor is how long an idle worker polls for the next op before it parks. Decode runs a few hundred ops
// per token with microseconds between them; waking a parked goroutine costs more than that, so workers
// that keep polling start each op at once (as llama.cpp's threadpool does). Longer gaps (between requests)
// park them.
const spinFor = 200 * time.Microsecond

// pool is a persistent set of worker goroutines. run publishes a task, works as worker 0 itself and returns
// when all are done (the barrier between ops). One op runs at a time (the Backend's mutex ensures it).
type pool struct {
	n       int
	seq     atomic.Uint64 // op generation: a change tells the workers that cur is a new task
	cur     task          // written before seq is advanced, read after it is seen to change
	pending atomic.Int64  // helpers still running the current op
	workers []*worker
	yield   bool // more workers than Ps (threads above GOMAXPROCS): spinners yield so the others can run
}

type worker struct {
	parked atomic.Bool   // set by the worker before it blocks on wake; cleared by whoever wakes it
	wake   chan struct{} // capacity 1
	_      [64]byte      // own cache line
}

func newPool(n int) *pool {
	p := &pool{n: n, yield: n > runtime.GOMAXPROCS(0)}
	for i := 1; i < n; i++ {
		w := &worker{wake: make(chan struct{}, 1)}
		p.workers = append(p.workers, w)
		go p.work(i, w)
	}
	return p
}

func (p *pool) work(i int, w *worker) {
	var last uint64 // the generation at newPool: an op published before this goroutine starts is still seen
	for {
		s := p.await(w, last)
		last = s
		t := p.cur
		if t == nil { // closed
			return
		}
		t.run(i)
		p.pending.Add(-1)
	}
}

// await returns the next op generation after last: polled for spinFor, then parked until run wakes it.
func (p *pool) await(w *worker, last uint64) uint64 {
	start := time.Now()
	for i := 1; ; i++ {
		if s := p.seq.Load(); s != last {
			return s
		}
		if i%64 == 0 {
			if time.Since(start) > spinFor {
				break
			}
			if p.yield {
				runtime.Gosched()
			}
		}
	}
	// Park. Announce it first, then look once more: either this load sees the new op, or run sees parked
	// (sequentially consistent atomics), so no wake-up is lost.
	w.parked.Store(true)
	if s := p.seq.Load(); s != last {
		if w.parked.CompareAndSwap(true, false) {
			return s
		}
		// run cleared parked and is sending a wake-up: take it so it does not linger.
	}
	<-w.wake
	return p.seq.Load()
}

// publish makes t the current op and wakes parked workers.
func (p *pool) publish(t task) {
	p.cur = t
	p.seq.Add(1)
	for _, w := range p.workers {
		if w.parked.CompareAndSwap(true, false) {
			w.wake <- struct{}{}
		}
	}
}

// run executes t on every worker; with nItems small it runs only on the caller (tiny ops take less than
// the hand-off).
func (p *pool) run(t task, nItems int) {
	if p.n == 1 || nItems <= 1 {
		t.run(0)
		return
	}
	p.pending.Store(int64(p.n - 1))
	p.publish(t)
	t.run(0)
	// The helpers finish the items they claimed; yield now and then (often when they may be waiting for a P).
	for i := 1; p.pending.Load() != 0; i++ {
		if p.yield && i%64 == 0 || i%4096 == 0 {
			runtime.Gosched()
		}
	}
}

func (p *pool) close() {
	p.pending.Store(int64(p.n - 1))
	p.publish(nil)
	p.workers = nil
}
