// Package kernels is the compute interface the models are written against, and the place that picks an
// implementation at run time.
//
// # Backends
//
// Backend (backend.go) lists the operations the Qwen3 forward pass needs, each documented with its formula,
// shapes and types. Tensors are opaque views of backend memory: weights are handed over once (Weight), and
// activations and KV caches are allocated on the backend (Alloc) and stay there; Read brings results (the
// logits) back to the host. kernels/cpu implements it in Go; CUDA and Metal backends are planned.
//
// # Choosing a backend
//
//	b, err := kernels.Open(ctx, "auto") // or "cpu", "cuda", "metal"
//	defer b.Close()
//	for _, p := range b.Info().Probes { fmt.Println(p.Backend, p.Chosen, p.Reason) }
//
// "auto" probes CUDA, then Metal, then falls back to the CPU and records why; asking for a backend that is
// not available returns an error wrapping ErrUnavailable. OpenConfig sets the thread count and the F32
// (no activation rounding) mode.
package kernels

import "github.com/qwenstudio/qwenstudio/kernels/cpu"

var _ Backend = (*cpu.Backend)(nil)
