package kernels

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/qwenstudio/qwenstudio/kernels/cpu"
)

// ErrUnavailable reports that a backend asked for by name cannot run here (not built, no device).
var ErrUnavailable = errors.New("kernels: backend unavailable")

// Config selects and tunes a backend.
type Config struct {
	Name    string       // "auto" (or ""), "cpu", "cuda", "metal"
	Threads int          // CPU worker threads; 0: one per CPU the process may use
	F32     bool         // compute matmuls on float32 activations (no activation rounding): slower, reference
	Logger  *slog.Logger // where Open reports its choice; nil: slog.Default()
}

// Open opens the backend called name ("auto", "cpu", "cuda" or "metal") with default settings.
func Open(ctx context.Context, name string) (Backend, error) {
	return OpenConfig(ctx, Config{Name: name})
}

// OpenConfig opens the backend cfg.Name. "auto" probes CUDA, then Metal, then falls back to the CPU, and
// records in Info().Probes why each was skipped or chosen.
func OpenConfig(ctx context.Context, cfg Config) (Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	var probes []Probe
	switch cfg.Name {
	case "", "auto":
		probes = append(probes, probeCUDA(), probeMetal())
	case "cpu":
	case "cuda", "metal":
		p := probeCUDA()
		if cfg.Name == "metal" {
			p = probeMetal()
		}
		return nil, fmt.Errorf("kernels: %s: %s: %w", cfg.Name, p.Reason, ErrUnavailable)
	default:
		return nil, fmt.Errorf("kernels: unknown backend %q (want auto, cpu, cuda or metal)", cfg.Name)
	}
	reason := "requested"
	if len(probes) > 0 {
		reason = "fallback: no GPU backend available"
	}
	probes = append(probes, Probe{Backend: "cpu", Chosen: true, Reason: reason})
	b := cpu.New(cpu.Config{Threads: cfg.Threads, F32: cfg.F32, Probes: probes})
	info := b.Info()
	for _, p := range probes {
		log.Debug("kernels: probe", "backend", p.Backend, "chosen", p.Chosen, "reason", p.Reason)
	}
	log.Info("kernels: backend", "name", info.Name, "device", info.Device, "threads", info.Threads, "f32", info.F32)
	return b, nil
}

// The GPU backends are planned (architecture.md) but not part of this build; the probes say so honestly
// rather than pretending to look for a device.
func probeCUDA() Probe {
	return Probe{Backend: "cuda", Reason: "not implemented in this build"}
}

func probeMetal() Probe {
	if runtime.GOOS != "darwin" {
		return Probe{Backend: "metal", Reason: "only available on macOS; not implemented in this build"}
	}
	return Probe{Backend: "metal", Reason: "not implemented in this build"}
}
