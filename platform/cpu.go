package platform

import (
	"runtime"

	"golang.org/x/sys/cpu"
)

// CPU describes the processor as far as the kernels care.
type CPU struct {
	Arch     string   // runtime.GOARCH
	Threads  int      // logical CPUs this process may use
	Features []string // SIMD features present, in a fixed order, lower case ("avx2", "avx512_vnni", "neon", ...)

	// amd64
	AVX2, FMA, F16C, AVXVNNI           bool
	AVX512F, AVX512BW, AVX512VL        bool
	AVX512VNNI, AVX512BF16, AVX512VBMI bool
	// arm64
	NEON, DotProd, FP16, I8MM, SVE bool
}

// CPUInfo reports the features golang.org/x/sys/cpu detected at start-up.
func CPUInfo() CPU {
	c := CPU{Arch: runtime.GOARCH, Threads: runtime.NumCPU()}
	switch runtime.GOARCH {
	case "amd64", "386":
		x := &cpu.X86
		c.AVX2, c.FMA, c.F16C, c.AVXVNNI = x.HasAVX2, x.HasFMA, x.HasF16C, x.HasAVXVNNI
		c.AVX512F, c.AVX512BW, c.AVX512VL = x.HasAVX512F, x.HasAVX512BW, x.HasAVX512VL
		c.AVX512VNNI, c.AVX512BF16, c.AVX512VBMI = x.HasAVX512VNNI, x.HasAVX512BF16, x.HasAVX512VBMI
		add := func(ok bool, name string) {
			if ok {
				c.Features = append(c.Features, name)
			}
		}
		add(x.HasSSE3, "sse3")
		add(x.HasSSSE3, "ssse3")
		add(x.HasAVX, "avx")
		add(c.AVX2, "avx2")
		add(c.FMA, "fma")
		add(c.F16C, "f16c")
		add(c.AVXVNNI, "avx_vnni")
		add(c.AVX512F, "avx512f")
		add(c.AVX512BW, "avx512bw")
		add(c.AVX512VL, "avx512vl")
		add(c.AVX512VNNI, "avx512_vnni")
		add(c.AVX512BF16, "avx512_bf16")
		add(c.AVX512VBMI, "avx512_vbmi")
	case "arm64":
		a := &cpu.ARM64
		// ASIMD is architecturally mandatory on arm64; the flag is only missing where the OS does not say.
		c.NEON = true
		c.DotProd, c.FP16, c.I8MM, c.SVE = a.HasASIMDDP, a.HasASIMDHP, a.HasI8MM, a.HasSVE
		c.Features = append(c.Features, "neon")
		for _, f := range []struct {
			ok   bool
			name string
		}{{c.DotProd, "dotprod"}, {c.FP16, "fp16"}, {c.I8MM, "i8mm"}, {c.SVE, "sve"}} {
			if f.ok {
				c.Features = append(c.Features, f.name)
			}
		}
	}
	return c
}
