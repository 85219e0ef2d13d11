//go:build !purego

package cpu

import (
	"golang.org/x/sys/cpu"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// CPU feature levels, detected once at start-up (constants for the life of the process).
var (
	// hasAVX2: AVX2 with FMA and F16C (every x86 CPU since Haswell / Zen 1 has all three).
	hasAVX2 = cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && cpu.X86.HasOSXSAVE
	// hasVNNI: AVX-512 VNNI on 256-bit registers (VPDPBUSD ymm needs AVX512VL).
	hasVNNI = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI
)

// simdName describes the kernels in use, for Info.
func simdName() string {
	switch {
	case hasVNNI:
		return "AVX2+FMA+F16C and AVX-512 VNNI kernels"
	case hasAVX2:
		return "AVX2+FMA+F16C kernels"
	}
	return "pure Go kernels (no AVX2 on this CPU)"
}

// simdKernels lists the SIMD implementations of t's dot products this CPU can run, best first. Each
// replaces the pure-Go vecDot of the traits table and may add a four-row dot4.
func simdKernels(t gguf.Type) []kernel {
	var ks []kernel
	add := func(ok bool, k kernel) {
		if ok {
			ks = append(ks, k)
		}
	}
	switch t {
	case gguf.TypeQ8_0:
		add(hasVNNI, kernel{"avx512vnni", q80Dot(dotQ8_0VNNI), q80Dot4(dotQ8_0x4VNNI), packQ8_0Biased, packLenQ8_0})
		add(hasAVX2, kernel{"avx2", q80Dot(dotQ8_0AVX2), q80Dot4(dotQ8_0x4AVX2), packQ8_0, packLenQ8_0})
	}
	return ks
}

//go:noescape
func dotQ8_0AVX2(w, x *byte, nb int) float32

//go:noescape
func dotQ8_0VNNI(w, x *byte, nb int) float32

//go:noescape
func dotQ8_0x4AVX2(w, p *byte, prb, nb int, out *[4]float32)

//go:noescape
func dotQ8_0x4VNNI(w, p *byte, prb, nb int, out *[4]float32)

// q80Dot wraps a Q8_0·Q8_0 row kernel; the slice checks make an out-of-range call panic in Go, not read
// past the buffers.
func q80Dot(f func(w, x *byte, nb int) float32) func(w, x []byte) float32 {
	return func(w, x []byte) float32 {
		nb := len(w) / quant.Q8_0B
		if nb == 0 {
			return 0
		}
		_ = x[nb*quant.Q8_0B-1]
		return f(&w[0], &x[0], nb)
	}
}

func q80Dot4(f func(w, p *byte, prb, nb int, out *[4]float32)) dot4Func {
	return func(w, p []byte, prb int, out *[4]float32) {
		nb := len(w) / quant.Q8_0B
		if nb == 0 {
			*out = [4]float32{}
			return
		}
		_ = p[3*prb+nb*36-1]
		f(&w[0], &p[0], prb, nb, out)
	}
}

// Packed Q8_0 activation rows for the x4 kernels: the nb block scales as float32 (converted once here, not
// for every weight row), then the nb·32 quants without the scales between them.
func packLenQ8_0(xrb int) int { return xrb / quant.Q8_0B * 36 }

func packQ8_0(x, p []byte) {
	nb := len(x) / quant.Q8_0B
	d, q := asF32(p[:4*nb]), p[4*nb:]
	for i := range d {
		blk := x[i*quant.Q8_0B : (i+1)*quant.Q8_0B]
		d[i] = f16(blk)
		copy(q[32*i:32*i+32], blk[2:])
	}
}

// packQ8_0Biased stores the quants as x+128 (unsigned), the operand order VPDPBUSD needs.
func packQ8_0Biased(x, p []byte) {
	packQ8_0(x, p)
	q := p[len(x)/quant.Q8_0B*4:]
	for i := range q {
		q[i] ^= 0x80
	}
}
