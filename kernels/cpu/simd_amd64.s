//go:build !purego

#include "textflag.h"

// Integer dot products follow ggml's x86 kernels (arch/x86/quants.c, AVX2 path): per 32-byte block,
// |w| · sign(x, w) with VPMADDUBSW + VPMADDWD (or VPDPBUSD with AVX-512 VNNI: the same int32 lanes, each the
// sum of 4 adjacent byte products), converted to float and accumulated as acc += d · lane with FMA in 8 lanes,
// then summed as hsum_float_8. The x4 kernels do the same for 4 activation rows per weight block load, so each
// output is bit-identical to the single-row kernel's.

// HSUM8(y, x, t): x[0] = hsum_float_8(y), where x is y's low half (t: scratch X register).
#define HSUM8(y, x, t) \
	VEXTRACTF128 $1, y, t \
	VADDPS       x, t, x  \
	VMOVHLPS     x, x, t  \
	VADDPS       t, x, x  \
	VMOVSHDUP    x, t     \
	VADDSS       t, x, x

// ONES16(y): every int16 lane of y = 1.
#define ONES16(y) \
	VPCMPEQW y, y, y \
	VPSRLW   $15, y, y

// F16BCAST(mem, x, y): y = broadcast(float32(mem as binary16)); clobbers AX.
#define F16BCAST(mem, x, y) \
	MOVWLZX      mem, AX \
	VMOVD        AX, x   \
	VCVTPH2PS    x, x    \
	VBROADCASTSS x, y

// Q8X4TOK(xq, xd, acc, ta, tb): one activation row of the x4 kernels, AVX2: xq its 32 quants, xd its float32
// scale; Y5 = w, Y6 = |w|, Y4 = dw.
#define Q8X4TOK(xq, xd, acc, ta, tb) \
	VMOVDQU      xq, ta         \
	VPSIGNB      Y5, ta, ta     \
	VPMADDUBSW   ta, Y6, ta     \
	VPMADDWD     Y15, ta, ta    \
	VCVTDQ2PS    ta, ta         \
	VBROADCASTSS xd, tb         \
	VMULPS       tb, Y4, tb     \
	VFMADD231PS  ta, tb, acc

// Q8X4TOKB: the same with AVX-512 VNNI on quants stored biased (x+128, unsigned): VPDPBUSD starting from
// Y6 = -128·Σw gives Σ(x+128)·w - 128·Σw = Σ x·w, the same int32 lanes without a sign fix-up per row.
#define Q8X4TOKB(xq, xd, acc, ta, tb, tz) \
	VMOVDQU      xq, ta         \
	VMOVDQA      Y6, tz         \
	VPDPBUSD     Y5, ta, tz     \
	VCVTDQ2PS    tz, tz         \
	VBROADCASTSS xd, tb         \
	VMULPS       tb, Y4, tb     \
	VFMADD231PS  tz, tb, acc

// X4SETUP loads the arguments of the Q8_0 x4 kernels, whose activation rows are packed as nb float32 scales
// then nb·32 quants: SI = w, R9/R12 = scales of rows 0 and 2, DI/R11 = their quants, R8 = row stride,
// CX = blocks; zeroes Y0-Y3.
#define X4SETUP \
	MOVQ   w+0(FP), SI         \
	MOVQ   p+8(FP), R9         \
	MOVQ   prb+16(FP), R8      \
	MOVQ   nb+24(FP), CX       \
	LEAQ   (R9)(CX*4), DI      \
	LEAQ   (R9)(R8*2), R12     \
	LEAQ   (DI)(R8*2), R11     \
	VXORPS Y0, Y0, Y0          \
	VXORPS Y1, Y1, Y1          \
	VXORPS Y2, Y2, Y2          \
	VXORPS Y3, Y3, Y3

// X4NEXT advances the x4 kernels by one Q8_0 weight block.
#define X4NEXT \
	ADDQ $34, SI  \
	ADDQ $32, DI  \
	ADDQ $32, R11 \
	ADDQ $4, R9   \
	ADDQ $4, R12

// X4STORE writes hsum(Y0..Y3) to out[0..3].
#define X4STORE \
	MOVQ   out+32(FP), AX      \
	HSUM8(Y0, X0, X8)          \
	VMOVSS X0, 0(AX)           \
	HSUM8(Y1, X1, X8)          \
	VMOVSS X1, 4(AX)           \
	HSUM8(Y2, X2, X8)          \
	VMOVSS X2, 8(AX)           \
	HSUM8(Y3, X3, X8)          \
	VMOVSS X3, 12(AX)          \
	VZEROUPPER

// func dotQ8_0AVX2(w, x *byte, nb int) float32
TEXT ·dotQ8_0AVX2(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ nb+16(FP), CX
	VXORPS Y0, Y0, Y0
	ONES16(Y15)

q80loop:
	MOVWLZX      (SI), AX
	MOVWLZX      (DI), BX
	VMOVD        AX, X1
	VMOVD        BX, X2
	VCVTPH2PS    X1, X1
	VCVTPH2PS    X2, X2
	VMULSS       X2, X1, X1
	VBROADCASTSS X1, Y1
	VMOVDQU      2(SI), Y2
	VMOVDQU      2(DI), Y3
	VPSIGNB      Y2, Y2, Y4
	VPSIGNB      Y2, Y3, Y3
	VPMADDUBSW   Y3, Y4, Y4
	VPMADDWD     Y15, Y4, Y4
	VCVTDQ2PS    Y4, Y4
	VFMADD231PS  Y4, Y1, Y0
	ADDQ         $34, SI
	ADDQ         $34, DI
	DECQ         CX
	JNZ          q80loop

	HSUM8(Y0, X0, X1)
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotQ8_0VNNI(w, x *byte, nb int) float32
TEXT ·dotQ8_0VNNI(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ nb+16(FP), CX
	VXORPS Y0, Y0, Y0

q80vloop:
	MOVWLZX      (SI), AX
	MOVWLZX      (DI), BX
	VMOVD        AX, X1
	VMOVD        BX, X2
	VCVTPH2PS    X1, X1
	VCVTPH2PS    X2, X2
	VMULSS       X2, X1, X1
	VBROADCASTSS X1, Y1
	VMOVDQU      2(SI), Y2
	VMOVDQU      2(DI), Y3
	VPSIGNB      Y2, Y2, Y4
	VPSIGNB      Y2, Y3, Y3
	VPXOR        Y5, Y5, Y5
	VPDPBUSD     Y3, Y4, Y5
	VCVTDQ2PS    Y5, Y5
	VFMADD231PS  Y5, Y1, Y0
	ADDQ         $34, SI
	ADDQ         $34, DI
	DECQ         CX
	JNZ          q80vloop

	HSUM8(Y0, X0, X1)
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotQ8_0x4AVX2(w, p *byte, prb, nb int, out *[4]float32)
TEXT ·dotQ8_0x4AVX2(SB), NOSPLIT, $0-40
	X4SETUP
	ONES16(Y15)

q80x4loop:
	F16BCAST((SI), X4, Y4)
	VMOVDQU 2(SI), Y5
	VPSIGNB Y5, Y5, Y6
	Q8X4TOK((DI), (R9), Y0, Y7, Y8)
	Q8X4TOK((DI)(R8*1), (R9)(R8*1), Y1, Y9, Y10)
	Q8X4TOK((R11), (R12), Y2, Y11, Y12)
	Q8X4TOK((R11)(R8*1), (R12)(R8*1), Y3, Y13, Y14)
	X4NEXT
	DECQ    CX
	JNZ     q80x4loop

	X4STORE
	RET

// func dotQ8_0x4VNNI(w, p *byte, prb, nb int, out *[4]float32)
TEXT ·dotQ8_0x4VNNI(SB), NOSPLIT, $0-40
	X4SETUP
	VPXOR        Y13, Y13, Y13
	MOVL         $0x80808080, AX
	VMOVD        AX, X14
	VPBROADCASTD X14, Y14

q80x4vloop:
	F16BCAST((SI), X4, Y4)
	VMOVDQU  2(SI), Y5
	VPXOR    Y6, Y6, Y6
	VPDPBUSD Y5, Y14, Y6
	VPSUBD   Y6, Y13, Y6
	Q8X4TOKB((DI), (R9), Y0, Y7, Y8, Y9)
	Q8X4TOKB((DI)(R8*1), (R9)(R8*1), Y1, Y10, Y11, Y12)
	Q8X4TOKB((R11), (R12), Y2, Y7, Y8, Y9)
	Q8X4TOKB((R11)(R8*1), (R12)(R8*1), Y3, Y10, Y11, Y12)
	X4NEXT
	DECQ     CX
	JNZ      q80x4vloop

	X4STORE
	RET
