package kernels

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestOpenAutoReportsProbes(t *testing.T) {
	b, err := OpenConfig(context.Background(), Config{Name: "auto", Threads: 3, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	info := b.Info()
	if info.Name != "cpu" || info.Threads != 3 || info.F32 {
		t.Fatalf("info = %+v", info)
	}
	if len(info.Probes) != 3 {
		t.Fatalf("probes = %+v, want cuda, metal, cpu", info.Probes)
	}
	for i, want := range []string{"cuda", "metal", "cpu"} {
		p := info.Probes[i]
		if p.Backend != want || p.Chosen != (want == "cpu") || p.Reason == "" {
			t.Errorf("probe %d = %+v", i, p)
		}
	}
	if !strings.Contains(info.Probes[0].Reason, "not implemented") {
		t.Errorf("cuda probe reason %q should say it is not implemented", info.Probes[0].Reason)
	}
}

func TestOpenByName(t *testing.T) {
	ctx := context.Background()
	b, err := OpenConfig(ctx, Config{Name: "cpu", F32: true, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if info := b.Info(); !info.F32 || len(info.Probes) != 1 || info.Probes[0].Reason != "requested" {
		t.Errorf("cpu info = %+v", info)
	}
	b.Close()
	for _, name := range []string{"cuda", "metal"} {
		if _, err := OpenConfig(ctx, Config{Name: name, Logger: quiet()}); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Open(%q) = %v, want ErrUnavailable", name, err)
		}
	}
	if _, err := Open(ctx, "tpu"); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("Open(tpu) = %v, want an unknown-backend error", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Open(cancelled, "auto"); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context = %v", err)
	}
}
