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

// X4NEXT(wb) advances the x4 kernels by one weight block of wb bytes.
#define X4NEXT(wb) \
	ADDQ $wb, SI  \
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

// DOTFINISH reduces Y0-Y3 and returns the sum as the float32 result at ret+24(FP).
#define DOTFINISH \
	VADDPS Y1, Y0, Y0  \
	VADDPS Y3, Y2, Y2  \
	VADDPS Y2, Y0, Y0  \
	HSUM8(Y0, X0, X1)  \
	VMOVSS X0, ret+24(FP) \
	VZEROUPPER         \
	RET

#define DOTSETUP \
	MOVQ   a+0(FP), SI  \
	MOVQ   b+8(FP), DI  \
	MOVQ   n+16(FP), CX \
	VXORPS Y0, Y0, Y0   \
	VXORPS Y1, Y1, Y1   \
	VXORPS Y2, Y2, Y2   \
	VXORPS Y3, Y3, Y3

// BF16X8(mem, y): y = 8 bfloat16 at mem widened to float32 (the top halves of the float32 bit patterns).
#define BF16X8(mem, y) \
	VPMOVZXWD mem, y  \
	VPSLLD    $16, y, y

// K-quants (ggml's AVX2 kernels). KSCALES unpacks the 12 packed 6-bit scales and mins of a Q4_K/Q5_K block at
// SI+4 into Y6: int16 scales 0-7 in the low half, mins 0-7 in the high half (clobbers AX, BX, R10, R12, R13).
#define KSCALES \
	MOVL         4(SI), R10                \
	MOVL         8(SI), R12                \
	MOVL         12(SI), R13               \
	MOVL         R13, AX                   \
	SHRL         $4, AX                    \
	ANDL         $0x0f0f0f0f, AX           \
	MOVL         R12, BX                   \
	SHRL         $6, BX                    \
	ANDL         $0x03030303, BX           \
	SHLL         $4, BX                    \
	ORL          BX, AX                    \
	ANDL         $0x3f3f3f3f, R12          \
	ANDL         $0x0f0f0f0f, R13          \
	MOVL         R10, BX                   \
	SHRL         $6, BX                    \
	ANDL         $0x03030303, BX           \
	SHLL         $4, BX                    \
	ORL          BX, R13                   \
	ANDL         $0x3f3f3f3f, R10          \
	VMOVD        R10, X6                   \
	VPINSRD      $1, R13, X6, X6           \
	VPINSRD      $2, R12, X6, X6           \
	VPINSRD      $3, AX, X6, X6            \
	VPMOVZXBW    X6, Y6

// KMINQ8S(xm): X7 = Σ of bsums pairs (the 8 sub-block sums of 32 quants) · mins, as 4 int32 (ggml's
// _mm_madd_epi16(mins, _mm_hadd_epi16(bsums lo, bsums hi))); Y6 from KSCALES.
#define KMINQ8S \
	VEXTRACTI128 $1, Y6, X7                \
	VMOVDQU      260(DI), Y8               \
	VEXTRACTI128 $1, Y8, X9                \
	VPHADDW      X9, X8, X8                \
	VPMADDWD     X8, X7, X7

// KD(off, x): x = y.d · F16(w[off]) (x's low lane); clobbers AX, X2, X3.
#define KD(off, x) \
	VMOVSS    (DI), X2    \
	MOVWLZX   off(SI), AX \
	VMOVD     AX, X3      \
	VCVTPH2PS X3, X3      \
	VMULSS    X3, X2, x

// Q4KSUB(j): Y10 += the int32 lanes of sub-blocks 2j and 2j+1 (Y6 = scales in both halves, Y15 = 0x0f).
#define Q4KSUB(j) \
	VMOVDQU    (16+32*j)(SI), Y2           \
	VPSRLW     $4, Y2, Y3                  \
	VPAND      Y15, Y2, Y2                 \
	VPAND      Y15, Y3, Y3                 \
	VPMADDUBSW (4+64*j)(DI), Y2, Y2        \
	VPMADDUBSW (36+64*j)(DI), Y3, Y3       \
	VPSHUFB    shufK4<>+(64*j)(SB), Y6, Y4 \
	VPSHUFB    shufK4<>+(64*j+32)(SB), Y6, Y5 \
	VPMADDWD   Y4, Y2, Y2                  \
	VPMADDWD   Y5, Y3, Y3                  \
	VPADDD     Y3, Y2, Y2                  \
	VPADDD     Y2, Y10, Y10

// Q5KSUB(j): as Q4KSUB with the fifth bits of qh (Y11) added as 16.
#define Q5KSUB(j) \
	VMOVDQU    (48+32*j)(SI), Y2           \
	VPSRLW     $4, Y2, Y3                  \
	VPAND      Y15, Y2, Y2                 \
	VPAND      Y15, Y3, Y3                 \
	VPSRLW     $(2*j), Y11, Y4             \
	VPAND      Y13, Y4, Y4                 \
	VPSLLW     $4, Y4, Y4                  \
	VPADDB     Y4, Y2, Y2                  \
	VPSRLW     $(2*j+1), Y11, Y5           \
	VPAND      Y13, Y5, Y5                 \
	VPSLLW     $4, Y5, Y5                  \
	VPADDB     Y5, Y3, Y3                  \
	VPMADDUBSW (4+64*j)(DI), Y2, Y2        \
	VPMADDUBSW (36+64*j)(DI), Y3, Y3       \
	VPSHUFB    shufK4<>+(64*j)(SB), Y6, Y4 \
	VPSHUFB    shufK4<>+(64*j+32)(SB), Y6, Y5 \
	VPMADDWD   Y4, Y2, Y2                  \
	VPMADDWD   Y5, Y3, Y3                  \
	VPADDD     Y3, Y2, Y2                  \
	VPADDD     Y2, Y10, Y10

// Q6KSUB(j): Y10 += the int32 lanes of the 128 quants of half j (X1 = the block's 16 int8 scales).
#define Q6KSUB(j) \
	VMOVDQU    (64*j)(SI), Y2              \
	VMOVDQU    (64*j+32)(SI), Y3           \
	VMOVDQU    (128+32*j)(SI), Y4          \
	VPAND      bmask<>+32(SB), Y4, Y5      \
	VPSLLW     $4, Y5, Y5                  \
	VPAND      Y15, Y2, Y6                 \
	VPOR       Y5, Y6, Y6                  \
	VPMADDUBSW (4+128*j)(DI), Y6, Y6       \
	VPSHUFB    shufK6<>+(64*j)(SB), X1, X7 \
	VPMOVSXBW  X7, Y7                      \
	VPMADDWD   Y7, Y6, Y6                  \
	VPAND      bmask<>+64(SB), Y4, Y5      \
	VPSLLW     $2, Y5, Y5                  \
	VPAND      Y15, Y3, Y7                 \
	VPOR       Y5, Y7, Y7                  \
	VPMADDUBSW (36+128*j)(DI), Y7, Y7      \
	VPSHUFB    shufK6<>+(64*j+16)(SB), X1, X8 \
	VPMOVSXBW  X8, Y8                      \
	VPMADDWD   Y8, Y7, Y7                  \
	VPADDD     Y7, Y6, Y6                  \
	VPADDD     Y6, Y10, Y10                \
	VPSRLW     $4, Y2, Y2                  \
	VPAND      Y15, Y2, Y2                 \
	VPAND      bmask<>+96(SB), Y4, Y5      \
	VPOR       Y5, Y2, Y2                  \
	VPMADDUBSW (68+128*j)(DI), Y2, Y2      \
	VPSHUFB    shufK6<>+(64*j+32)(SB), X1, X7 \
	VPMOVSXBW  X7, Y7                      \
	VPMADDWD   Y7, Y2, Y2                  \
	VPSRLW     $4, Y3, Y3                  \
	VPAND      Y15, Y3, Y3                 \
	VPAND      bmask<>+128(SB), Y4, Y5     \
	VPSRLW     $2, Y5, Y5                  \
	VPOR       Y5, Y3, Y3                  \
	VPMADDUBSW (100+128*j)(DI), Y3, Y3     \
	VPSHUFB    shufK6<>+(64*j+48)(SB), X1, X8 \
	VPMOVSXBW  X8, Y8                      \
	VPMADDWD   Y8, Y3, Y3                  \
	VPADDD     Y3, Y2, Y2                  \
	VPADDD     Y2, Y10, Y10

// Q40W(off, y, t): y = the signed quants of the Q4_0 block at SI (off: its qs offset); t: scratch X.
#define Q40W(y, x, t) \
	VMOVDQU     2(SI), x        \
	VPSRLW      $4, x, t        \
	VINSERTI128 $1, t, y, y     \
	VPAND       Y14, y, y       \
	VPSUBB      Y13, y, y

#define Q40CONST \
	VMOVDQU bmask<>+0(SB), Y14  \
	MOVL    $0x08080808, AX     \
	VMOVD   AX, X13             \
	VPBROADCASTD X13, Y13

// SCOREROWS zeroes the eight row accumulators and sets the step counter BX = d/8 and the q offset AX = 0.
#define SCOREROWS \
	MOVQ    DX, BX              \
	XORQ    AX, AX              \
	VXORPS  Y0, Y0, Y0          \
	VXORPS  Y1, Y1, Y1          \
	VXORPS  Y2, Y2, Y2          \
	VXORPS  Y3, Y3, Y3          \
	VXORPS  Y4, Y4, Y4          \
	VXORPS  Y5, Y5, Y5          \
	VXORPS  Y6, Y6, Y6          \
	VXORPS  Y7, Y7, Y7

// R4ROW(wd, wq, acc, tdx, td, tw, ta, tz): one row's block (VNNI): wd its scale, wq its quants; Y4 = x quants,
// X5 = dx.
#define R4ROW(wd, wq, acc, tdx, td, tw, ta, tz) \
	MOVWLZX      wd, AX         \
	VMOVD        AX, tdx        \
	VCVTPH2PS    tdx, tdx       \
	VMULSS       X5, tdx, tdx   \
	VBROADCASTSS tdx, td        \
	VMOVDQU      wq, tw         \
	VPSIGNB      tw, tw, ta     \
	VPSIGNB      tw, Y4, tw     \
	VPXOR        tz, tz, tz     \
	VPDPBUSD     tw, ta, tz     \
	VCVTDQ2PS    tz, tz         \
	VFMADD231PS  tz, td, acc

// R4ROWA: the same with VPMADDUBSW + VPMADDWD (Y15 = int16 ones).
#define R4ROWA(wd, wq, acc, tdx, td, tw, ta, tz) \
	MOVWLZX      wd, AX         \
	VMOVD        AX, tdx        \
	VCVTPH2PS    tdx, tdx       \
	VMULSS       X5, tdx, tdx   \
	VBROADCASTSS tdx, td        \
	VMOVDQU      wq, tw         \
	VPSIGNB      tw, tw, ta     \
	VPSIGNB      tw, Y4, tw     \
	VPMADDUBSW   tw, ta, tz     \
	VPMADDWD     Y15, tz, tz    \
	VCVTDQ2PS    tz, tz         \
	VFMADD231PS  tz, td, acc

// R4SETUP: SI/R11 = weight rows 0 and 3 (R8 = row stride), R12 = row 8, DI = x, CX = blocks; Y0-Y3 = 0.
#define R4SETUP \
	MOVQ   w+0(FP), SI        \
	MOVQ   wrb+8(FP), R8      \
	MOVQ   x+16(FP), DI       \
	MOVQ   nb+24(FP), CX      \
	LEAQ   (R8)(R8*2), R11    \
	ADDQ   SI, R11            \
	LEAQ   (R8)(R8*1), R12    \
	LEAQ   (SI)(R12*4), R12   \
	VXORPS Y0, Y0, Y0         \
	VXORPS Y1, Y1, Y1         \
	VXORPS Y2, Y2, Y2         \
	VXORPS Y3, Y3, Y3

// R4PREFETCH: the four rows are read as four interleaved streams, which the hardware prefetchers follow
// poorly (half the DRAM bandwidth of one stream); so the kernel prefetches the group after next (R12 = w +
// 8·wrb) as one sequential stream at the same pace (step: four weight blocks' bytes per block).
#define R4PREFETCH(step) \
	PREFETCHT0 (R12)          \
	PREFETCHT0 64(R12)        \
	PREFETCHT0 128(R12)       \
	ADDQ       $step, R12

// R4X: loads the activation block: Y4 = quants, X5 = dx.
#define R4X \
	MOVWLZX   (DI), AX        \
	VMOVD     AX, X5          \
	VCVTPH2PS X5, X5          \
	VMOVDQU   2(DI), Y4

// EXPV(x, y, z, n, u, a2, a3, t1, t2): y = ggml_v_expf(x) for 8 lanes, as ggml's AVX-512 version computes it
// (the build llama.cpp's reference outputs came from): n = round(x·log2 e), b = x - n·ln2 in two steps,
// j = 1 + b·P(b), result j·2^n (VSCALEFPS there; here two exact power-of-two products, so a result that
// lands in the subnormal range is rounded once, as VSCALEFPS rounds it), |n| > 192 giving 0 or +Inf. x is
// preserved; the other registers are scratch.
#define EXPV(x, y, z, n, u, a2, a3, t1, t2) \
	VMOVUPS      expc<>+0(SB), z          \
	VFMADD231PS  expc<>+32(SB), x, z      \
	VSUBPS       expc<>+0(SB), z, n       \
	VMOVAPS      x, y                     \
	VFNMADD231PS expc<>+64(SB), n, y      \
	VFNMADD231PS expc<>+96(SB), n, y      \
	VMULPS       y, y, u                  \
	VMOVUPS      expc<>+160(SB), z        \
	VFMADD231PS  expc<>+128(SB), y, z     \
	VMOVUPS      expc<>+224(SB), a2       \
	VFMADD231PS  expc<>+192(SB), y, a2    \
	VFMADD213PS  a2, u, z                 \
	VMOVUPS      expc<>+288(SB), a3       \
	VFMADD231PS  expc<>+256(SB), y, a3    \
	VFMADD213PS  a3, u, z                 \
	VMAXPS       expc<>+416(SB), n, t1    \
	VMINPS       expc<>+448(SB), t1, t1   \
	VSUBPS       t1, n, t2                \
	VCVTPS2DQ    t1, t1                   \
	VCVTPS2DQ    t2, t2                   \
	VPADDD       expc<>+480(SB), t1, t1   \
	VPADDD       expc<>+480(SB), t2, t2   \
	VPSLLD       $23, t1, t1              \
	VPSLLD       $23, t2, t2              \
	VMULPS       t1, z, z                 \
	VMULPS       t2, z, z                 \
	VXORPS       u, u, u                  \
	VCMPPS       $0x12, u, n, u           \
	VANDNPS      expc<>+384(SB), u, u     \
	VANDPS       expc<>+352(SB), n, t1    \
	VCMPPS       $0x1e, expc<>+320(SB), t1, t1 \
	VBLENDVPS    t1, u, z, y

// Four-weight-row Q4_0 kernels (decode): R4ROW with the Q4_0 block decoded as in Q40W (Y14 = 0x0f,
// Y13 = 0x08).
#define R4ROW40(wd, wq, acc, tdx, td, twx, tw, tax, ta, tz) \
	MOVWLZX      wd, AX         \
	VMOVD        AX, tdx        \
	VCVTPH2PS    tdx, tdx       \
	VMULSS       X5, tdx, tdx   \
	VBROADCASTSS tdx, td        \
	VMOVDQU      wq, twx        \
	VPSRLW       $4, twx, tax   \
	VINSERTI128  $1, tax, tw, tw \
	VPAND        Y14, tw, tw    \
	VPSUBB       Y13, tw, tw    \
	VPSIGNB      tw, tw, ta     \
	VPSIGNB      tw, Y4, tw     \
	VPXOR        tz, tz, tz     \
	VPDPBUSD     tw, ta, tz     \
	VCVTDQ2PS    tz, tz         \
	VFMADD231PS  tz, td, acc

#define R4ROW40A(wd, wq, acc, tdx, td, twx, tw, tax, ta, tz) \
	MOVWLZX      wd, AX         \
	VMOVD        AX, tdx        \
	VCVTPH2PS    tdx, tdx       \
	VMULSS       X5, tdx, tdx   \
	VBROADCASTSS tdx, td        \
	VMOVDQU      wq, twx        \
	VPSRLW       $4, twx, tax   \
	VINSERTI128  $1, tax, tw, tw \
	VPAND        Y14, tw, tw    \
	VPSUBB       Y13, tw, tw    \
	VPSIGNB      tw, tw, ta     \
	VPSIGNB      tw, Y4, tw     \
	VPMADDUBSW   tw, ta, tz     \
	VPMADDWD     ones16<>(SB), tz, tz \
	VCVTDQ2PS    tz, tz         \
	VFMADD231PS  tz, td, acc

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
	X4NEXT(34)
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
	X4NEXT(34)
	DECQ     CX
	JNZ      q80x4vloop

	X4STORE
	RET

// Float dot products and axpy: four 8-lane FMA accumulators over 32 elements per step, then 8 per step;
// n is a multiple of 8 (the Go wrappers do the tail). The reduction is (acc0+acc1)+(acc2+acc3), then
// hsum_float_8.

// func dotF32AVX2(a, b *float32, n int) float32
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	DOTSETUP
	CMPQ CX, $32
	JLT  f32tail

f32loop:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         f32loop

f32tail:
	CMPQ        CX, $8
	JLT         f32done
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         f32tail

f32done:
	DOTFINISH

// func dotF32F16AVX2(a *float32, b *uint16, n int) float32
TEXT ·dotF32F16AVX2(SB), NOSPLIT, $0-28
	DOTSETUP
	CMPQ CX, $32
	JLT  f32f16tail

f32f16loop:
	VCVTPH2PS   (DI), Y4
	VCVTPH2PS   16(DI), Y5
	VCVTPH2PS   32(DI), Y6
	VCVTPH2PS   48(DI), Y7
	VFMADD231PS (SI), Y4, Y0
	VFMADD231PS 32(SI), Y5, Y1
	VFMADD231PS 64(SI), Y6, Y2
	VFMADD231PS 96(SI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $64, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         f32f16loop

f32f16tail:
	CMPQ        CX, $8
	JLT         f32f16done
	VCVTPH2PS   (DI), Y4
	VFMADD231PS (SI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $16, DI
	SUBQ        $8, CX
	JMP         f32f16tail

f32f16done:
	DOTFINISH

// func dotF16AVX2(a, b *uint16, n int) float32
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-28
	DOTSETUP
	CMPQ CX, $32
	JLT  f16tail

f16loop:
	VCVTPH2PS   (SI), Y4
	VCVTPH2PS   16(SI), Y5
	VCVTPH2PS   32(SI), Y6
	VCVTPH2PS   48(SI), Y7
	VCVTPH2PS   (DI), Y8
	VCVTPH2PS   16(DI), Y9
	VCVTPH2PS   32(DI), Y10
	VCVTPH2PS   48(DI), Y11
	VFMADD231PS Y8, Y4, Y0
	VFMADD231PS Y9, Y5, Y1
	VFMADD231PS Y10, Y6, Y2
	VFMADD231PS Y11, Y7, Y3
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         f16loop

f16tail:
	CMPQ        CX, $8
	JLT         f16done
	VCVTPH2PS   (SI), Y4
	VCVTPH2PS   (DI), Y8
	VFMADD231PS Y8, Y4, Y0
	ADDQ        $16, SI
	ADDQ        $16, DI
	SUBQ        $8, CX
	JMP         f16tail

f16done:
	DOTFINISH

// func dotBF16AVX2(a, b *uint16, n int) float32
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-28
	DOTSETUP
	CMPQ CX, $32
	JLT  bf16tail

bf16loop:
	BF16X8((SI), Y4)
	BF16X8(16(SI), Y5)
	BF16X8(32(SI), Y6)
	BF16X8(48(SI), Y7)
	BF16X8((DI), Y8)
	BF16X8(16(DI), Y9)
	BF16X8(32(DI), Y10)
	BF16X8(48(DI), Y11)
	VFMADD231PS Y8, Y4, Y0
	VFMADD231PS Y9, Y5, Y1
	VFMADD231PS Y10, Y6, Y2
	VFMADD231PS Y11, Y7, Y3
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         bf16loop

bf16tail:
	CMPQ        CX, $8
	JLT         bf16done
	BF16X8((SI), Y4)
	BF16X8((DI), Y8)
	VFMADD231PS Y8, Y4, Y0
	ADDQ        $16, SI
	ADDQ        $16, DI
	SUBQ        $8, CX
	JMP         bf16tail

bf16done:
	DOTFINISH

// func axpyF32AVX2(a float32, x, y *float32, n int): y += a·x (FMA), n a multiple of 8.
TEXT ·axpyF32AVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y15
	MOVQ         x+8(FP), SI
	MOVQ         y+16(FP), DI
	MOVQ         n+24(FP), CX
	CMPQ         CX, $32
	JLT          axf32tail

axf32loop:
	VMOVUPS     (DI), Y0
	VMOVUPS     32(DI), Y1
	VMOVUPS     64(DI), Y2
	VMOVUPS     96(DI), Y3
	VFMADD231PS (SI), Y15, Y0
	VFMADD231PS 32(SI), Y15, Y1
	VFMADD231PS 64(SI), Y15, Y2
	VFMADD231PS 96(SI), Y15, Y3
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 32(DI)
	VMOVUPS     Y2, 64(DI)
	VMOVUPS     Y3, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         axf32loop

axf32tail:
	CMPQ        CX, $8
	JLT         axf32done
	VMOVUPS     (DI), Y0
	VFMADD231PS (SI), Y15, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         axf32tail

axf32done:
	VZEROUPPER
	RET

// func axpyF16AVX2(a float32, x *uint16, y *float32, n int): y += a·x with x in binary16.
TEXT ·axpyF16AVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y15
	MOVQ         x+8(FP), SI
	MOVQ         y+16(FP), DI
	MOVQ         n+24(FP), CX
	CMPQ         CX, $32
	JLT          axf16tail

axf16loop:
	VCVTPH2PS   (SI), Y4
	VCVTPH2PS   16(SI), Y5
	VCVTPH2PS   32(SI), Y6
	VCVTPH2PS   48(SI), Y7
	VFMADD213PS (DI), Y15, Y4
	VFMADD213PS 32(DI), Y15, Y5
	VFMADD213PS 64(DI), Y15, Y6
	VFMADD213PS 96(DI), Y15, Y7
	VMOVUPS     Y4, (DI)
	VMOVUPS     Y5, 32(DI)
	VMOVUPS     Y6, 64(DI)
	VMOVUPS     Y7, 96(DI)
	ADDQ        $64, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         axf16loop

axf16tail:
	CMPQ        CX, $8
	JLT         axf16done
	VCVTPH2PS   (SI), Y4
	VFMADD213PS (DI), Y15, Y4
	VMOVUPS     Y4, (DI)
	ADDQ        $16, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         axf16tail

axf16done:
	VZEROUPPER
	RET

// func f32ToF16AVX2(src *float32, dst *uint16, n int): round to nearest even (VCVTPS2PH imm 0), n a multiple of 8.
TEXT ·f32ToF16AVX2(SB), NOSPLIT, $0-24
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   tof16done

tof16loop:
	VMOVUPS   (SI), Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ      $32, SI
	ADDQ      $16, DI
	DECQ      CX
	JNZ       tof16loop

tof16done:
	VZEROUPPER
	RET

// func f16ToF32AVX2(src *uint16, dst *float32, n int), n a multiple of 8.
TEXT ·f16ToF32AVX2(SB), NOSPLIT, $0-24
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   fromf16done

fromf16loop:
	VCVTPH2PS (SI), Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $16, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       fromf16loop

fromf16done:
	VZEROUPPER
	RET

// shufK4 row k (32 bytes) broadcasts int16 scale k of a 16-lane vector (ggml's get_scale_shuffle_k4).
DATA shufK4<>+0x0(SB)/8, $0x0100010001000100
DATA shufK4<>+0x8(SB)/8, $0x0100010001000100
DATA shufK4<>+0x10(SB)/8, $0x0100010001000100
DATA shufK4<>+0x18(SB)/8, $0x0100010001000100
DATA shufK4<>+0x20(SB)/8, $0x0302030203020302
DATA shufK4<>+0x28(SB)/8, $0x0302030203020302
DATA shufK4<>+0x30(SB)/8, $0x0302030203020302
DATA shufK4<>+0x38(SB)/8, $0x0302030203020302
DATA shufK4<>+0x40(SB)/8, $0x0504050405040504
DATA shufK4<>+0x48(SB)/8, $0x0504050405040504
DATA shufK4<>+0x50(SB)/8, $0x0504050405040504
DATA shufK4<>+0x58(SB)/8, $0x0504050405040504
DATA shufK4<>+0x60(SB)/8, $0x0706070607060706
DATA shufK4<>+0x68(SB)/8, $0x0706070607060706
DATA shufK4<>+0x70(SB)/8, $0x0706070607060706
DATA shufK4<>+0x78(SB)/8, $0x0706070607060706
DATA shufK4<>+0x80(SB)/8, $0x0908090809080908
DATA shufK4<>+0x88(SB)/8, $0x0908090809080908
DATA shufK4<>+0x90(SB)/8, $0x0908090809080908
DATA shufK4<>+0x98(SB)/8, $0x0908090809080908
DATA shufK4<>+0xa0(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA shufK4<>+0xa8(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA shufK4<>+0xb0(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA shufK4<>+0xb8(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA shufK4<>+0xc0(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA shufK4<>+0xc8(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA shufK4<>+0xd0(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA shufK4<>+0xd8(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA shufK4<>+0xe0(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA shufK4<>+0xe8(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA shufK4<>+0xf0(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA shufK4<>+0xf8(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL shufK4<>(SB), RODATA|NOPTR, $256

// shufK6 row k (16 bytes) picks int8 scales 2k (8 times) then 2k+1 (8 times) (ggml's get_scale_shuffle).
DATA shufK6<>+0x0(SB)/8, $0x0000000000000000
DATA shufK6<>+0x8(SB)/8, $0x0101010101010101
DATA shufK6<>+0x10(SB)/8, $0x0202020202020202
DATA shufK6<>+0x18(SB)/8, $0x0303030303030303
DATA shufK6<>+0x20(SB)/8, $0x0404040404040404
DATA shufK6<>+0x28(SB)/8, $0x0505050505050505
DATA shufK6<>+0x30(SB)/8, $0x0606060606060606
DATA shufK6<>+0x38(SB)/8, $0x0707070707070707
DATA shufK6<>+0x40(SB)/8, $0x0808080808080808
DATA shufK6<>+0x48(SB)/8, $0x0909090909090909
DATA shufK6<>+0x50(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA shufK6<>+0x58(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA shufK6<>+0x60(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA shufK6<>+0x68(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA shufK6<>+0x70(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA shufK6<>+0x78(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL shufK6<>(SB), RODATA|NOPTR, $128

// bmask: 32-byte rows of 0x0f, 0x03, 0x0c, 0x30, 0xc0, 0x01 in every byte.
DATA bmask<>+0x0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bmask<>+0x8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bmask<>+0x10(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bmask<>+0x18(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bmask<>+0x20(SB)/8, $0x0303030303030303
DATA bmask<>+0x28(SB)/8, $0x0303030303030303
DATA bmask<>+0x30(SB)/8, $0x0303030303030303
DATA bmask<>+0x38(SB)/8, $0x0303030303030303
DATA bmask<>+0x40(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA bmask<>+0x48(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA bmask<>+0x50(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA bmask<>+0x58(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA bmask<>+0x60(SB)/8, $0x3030303030303030
DATA bmask<>+0x68(SB)/8, $0x3030303030303030
DATA bmask<>+0x70(SB)/8, $0x3030303030303030
DATA bmask<>+0x78(SB)/8, $0x3030303030303030
DATA bmask<>+0x80(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA bmask<>+0x88(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA bmask<>+0x90(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA bmask<>+0x98(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA bmask<>+0xa0(SB)/8, $0x0101010101010101
DATA bmask<>+0xa8(SB)/8, $0x0101010101010101
DATA bmask<>+0xb0(SB)/8, $0x0101010101010101
DATA bmask<>+0xb8(SB)/8, $0x0101010101010101
GLOBL bmask<>(SB), RODATA|NOPTR, $192

// func dotQ4_KAVX2(w, x *byte, nb int) float32
TEXT ·dotQ4_KAVX2(SB), NOSPLIT, $0-28
	MOVQ   w+0(FP), SI
	MOVQ   x+8(FP), DI
	MOVQ   nb+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VMOVDQU bmask<>+0(SB), Y15
	MOVL   $0x80000000, AX
	VMOVD  AX, X14

q4kloop:
	KSCALES
	KMINQ8S
	VCVTDQ2PS    X7, X7
	KD(2, X4)
	VXORPS       X14, X4, X4
	VBROADCASTSS X4, X4
	VFMADD231PS  X7, X4, X1
	VINSERTI128  $1, X6, Y6, Y6
	VPXOR        Y10, Y10, Y10
	Q4KSUB(0)
	Q4KSUB(1)
	Q4KSUB(2)
	Q4KSUB(3)
	KD(0, X4)
	VBROADCASTSS X4, Y4
	VCVTDQ2PS    Y10, Y10
	VFMADD231PS  Y10, Y4, Y0
	ADDQ         $144, SI
	ADDQ         $292, DI
	DECQ         CX
	JNZ          q4kloop

	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	HSUM8(Y0, X0, X2)
	VADDSS    X1, X0, X0
	VMOVSS    X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotQ5_KAVX2(w, x *byte, nb int) float32
TEXT ·dotQ5_KAVX2(SB), NOSPLIT, $0-28
	MOVQ   w+0(FP), SI
	MOVQ   x+8(FP), DI
	MOVQ   nb+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS X1, X1, X1
	VMOVDQU bmask<>+0(SB), Y15
	VMOVDQU bmask<>+160(SB), Y13
	MOVL   $0x80000000, AX
	VMOVD  AX, X14

q5kloop:
	KSCALES
	KMINQ8S
	VPHADDD      X7, X7, X7
	VPHADDD      X7, X7, X7
	VCVTDQ2PS    X7, X7
	KD(2, X4)
	VXORPS       X14, X4, X4
	VFMADD231SS  X7, X4, X1
	VINSERTI128  $1, X6, Y6, Y6
	VMOVDQU      16(SI), Y11
	VPXOR        Y10, Y10, Y10
	Q5KSUB(0)
	Q5KSUB(1)
	Q5KSUB(2)
	Q5KSUB(3)
	KD(0, X4)
	VBROADCASTSS X4, Y4
	VCVTDQ2PS    Y10, Y10
	VFMADD231PS  Y10, Y4, Y0
	ADDQ         $176, SI
	ADDQ         $292, DI
	DECQ         CX
	JNZ          q5kloop

	HSUM8(Y0, X0, X2)
	VADDSS    X1, X0, X0
	VMOVSS    X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotQ6_KAVX2(w, x *byte, nb int) float32
TEXT ·dotQ6_KAVX2(SB), NOSPLIT, $0-28
	MOVQ   w+0(FP), SI
	MOVQ   x+8(FP), DI
	MOVQ   nb+16(FP), CX
	VXORPS Y0, Y0, Y0
	VMOVDQU bmask<>+0(SB), Y15

q6kloop:
	VMOVDQU      192(SI), X1
	VPMOVSXBW    X1, Y2
	VPMADDWD     260(DI), Y2, Y2
	VPSLLD       $5, Y2, Y9
	VPXOR        Y10, Y10, Y10
	Q6KSUB(0)
	Q6KSUB(1)
	VPSUBD       Y9, Y10, Y10
	KD(208, X4)
	VBROADCASTSS X4, Y4
	VCVTDQ2PS    Y10, Y10
	VFMADD231PS  Y10, Y4, Y0
	ADDQ         $210, SI
	ADDQ         $292, DI
	DECQ         CX
	JNZ          q6kloop

	HSUM8(Y0, X0, X2)
	VMOVSS    X0, ret+24(FP)
	VZEROUPPER
	RET

// Q4_0 · Q8_0 (ggml's AVX2 kernel): the 32 nibbles of a block become bytes in [-8, 7] (low nibbles then high
// nibbles, bytes_from_nibbles_32 - 8), then the block goes as Q8_0's. Q40CONST: Y14 = 0x0f, Y13 = 0x08.

// func dotQ4_0AVX2(w, x *byte, nb int) float32
TEXT ·dotQ4_0AVX2(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ nb+16(FP), CX
	VXORPS Y0, Y0, Y0
	ONES16(Y15)
	Q40CONST

q40loop:
	MOVWLZX      (SI), AX
	MOVWLZX      (DI), BX
	VMOVD        AX, X1
	VMOVD        BX, X2
	VCVTPH2PS    X1, X1
	VCVTPH2PS    X2, X2
	VMULSS       X2, X1, X1
	VBROADCASTSS X1, Y1
	Q40W(Y2, X2, X3)
	VMOVDQU      2(DI), Y3
	VPSIGNB      Y2, Y2, Y4
	VPSIGNB      Y2, Y3, Y3
	VPMADDUBSW   Y3, Y4, Y4
	VPMADDWD     Y15, Y4, Y4
	VCVTDQ2PS    Y4, Y4
	VFMADD231PS  Y4, Y1, Y0
	ADDQ         $18, SI
	ADDQ         $34, DI
	DECQ         CX
	JNZ          q40loop

	HSUM8(Y0, X0, X1)
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotQ4_0VNNI(w, x *byte, nb int) float32
TEXT ·dotQ4_0VNNI(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ nb+16(FP), CX
	VXORPS Y0, Y0, Y0
	Q40CONST

q40vloop:
	MOVWLZX      (SI), AX
	MOVWLZX      (DI), BX
	VMOVD        AX, X1
	VMOVD        BX, X2
	VCVTPH2PS    X1, X1
	VCVTPH2PS    X2, X2
	VMULSS       X2, X1, X1
	VBROADCASTSS X1, Y1
	Q40W(Y2, X2, X3)
	VMOVDQU      2(DI), Y3
	VPSIGNB      Y2, Y2, Y4
	VPSIGNB      Y2, Y3, Y3
	VPXOR        Y5, Y5, Y5
	VPDPBUSD     Y3, Y4, Y5
	VCVTDQ2PS    Y5, Y5
	VFMADD231PS  Y5, Y1, Y0
	ADDQ         $18, SI
	ADDQ         $34, DI
	DECQ         CX
	JNZ          q40vloop

	HSUM8(Y0, X0, X1)
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotQ4_0x4AVX2(w, p *byte, prb, nb int, out *[4]float32)
TEXT ·dotQ4_0x4AVX2(SB), NOSPLIT, $0-40
	X4SETUP
	Q40CONST
	ONES16(Y15)

q40x4loop:
	F16BCAST((SI), X4, Y4)
	Q40W(Y5, X5, X6)
	VPSIGNB Y5, Y5, Y6
	Q8X4TOK((DI), (R9), Y0, Y7, Y8)
	Q8X4TOK((DI)(R8*1), (R9)(R8*1), Y1, Y9, Y10)
	Q8X4TOK((R11), (R12), Y2, Y11, Y12)
	Q8X4TOK((R11)(R8*1), (R12)(R8*1), Y3, Y7, Y8)
	X4NEXT(18)
	DECQ    CX
	JNZ     q40x4loop

	X4STORE
	RET

// func dotQ4_0x4VNNI(w, p *byte, prb, nb int, out *[4]float32)
TEXT ·dotQ4_0x4VNNI(SB), NOSPLIT, $0-40
	X4SETUP
	Q40CONST
	VPXOR        Y15, Y15, Y15
	MOVL         $0x80808080, AX
	VMOVD        AX, X12
	VPBROADCASTD X12, Y12

q40x4vloop:
	F16BCAST((SI), X4, Y4)
	Q40W(Y5, X5, X6)
	VPXOR    Y6, Y6, Y6
	VPDPBUSD Y5, Y12, Y6
	VPSUBD   Y6, Y15, Y6
	Q8X4TOKB((DI), (R9), Y0, Y7, Y8, Y9)
	Q8X4TOKB((DI)(R8*1), (R9)(R8*1), Y1, Y10, Y11, Y9)
	Q8X4TOKB((R11), (R12), Y2, Y7, Y8, Y9)
	Q8X4TOKB((R11)(R8*1), (R12)(R8*1), Y3, Y10, Y11, Y9)
	X4NEXT(18)
	DECQ     CX
	JNZ      q40x4vloop

	X4STORE
	RET

// Four-row K-quant kernels (AVX2): one weight block against four Q8_K activation rows (row t at x + t·xrb),
// each row's integer lanes exactly as in the single-row kernel above, so every output is bit-identical to
// it. The weight quants are unpacked once per block for the four rows; the rows' float accumulators live in
// the frame (acc_t at 32t(SP), the Q4_K mins lanes / Q5_K mins sum at 128+16t(SP)).

// func dotQ4_Kx4AVX2(w, x *byte, xrb, nb int, out *[4]float32)
TEXT ·dotQ4_Kx4AVX2(SB), NOSPLIT, $192-40
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    xrb+16(FP), R8
	MOVQ    nb+24(FP), CX
	LEAQ    (DI)(R8*2), R11
	VXORPS  Y0, Y0, Y0
	VMOVUPS Y0, 0(SP)
	VMOVUPS Y0, 32(SP)
	VMOVUPS Y0, 64(SP)
	VMOVUPS Y0, 96(SP)
	VMOVUPS X0, 128(SP)
	VMOVUPS X0, 144(SP)
	VMOVUPS X0, 160(SP)
	VMOVUPS X0, 176(SP)
	VMOVDQU bmask<>+0(SB), Y15
	MOVL    $0x80000000, AX
	VMOVD   AX, X14

q4kx4loop:
	KSCALES
	MOVWLZX   2(SI), AX
	VMOVD     AX, X8
	VCVTPH2PS X8, X8
	VEXTRACTI128 $1, Y6, X9
	VMOVDQU   260(DI), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (DI), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VBROADCASTSS X11, X11
	VMOVUPS   128(SP), X12
	VFMADD231PS X10, X11, X12
	VMOVUPS   X12, 128(SP)
	VMOVDQU   260(DI)(R8*1), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (DI)(R8*1), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VBROADCASTSS X11, X11
	VMOVUPS   144(SP), X12
	VFMADD231PS X10, X11, X12
	VMOVUPS   X12, 144(SP)
	VMOVDQU   260(R11), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (R11), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VBROADCASTSS X11, X11
	VMOVUPS   160(SP), X12
	VFMADD231PS X10, X11, X12
	VMOVUPS   X12, 160(SP)
	VMOVDQU   260(R11)(R8*1), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (R11)(R8*1), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VBROADCASTSS X11, X11
	VMOVUPS   176(SP), X12
	VFMADD231PS X10, X11, X12
	VMOVUPS   X12, 176(SP)
	VINSERTI128 $1, X6, Y6, Y6
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	VPXOR   Y2, Y2, Y2
	VPXOR   Y3, Y3, Y3
	VMOVDQU (16+32*0)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(0)(SB), Y6, Y10
	VPMADDUBSW 4(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 4(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 4(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 4(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(32)(SB), Y6, Y10
	VPMADDUBSW 36(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 36(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 36(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 36(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VMOVDQU (16+32*1)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(64)(SB), Y6, Y10
	VPMADDUBSW 68(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 68(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 68(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 68(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(96)(SB), Y6, Y10
	VPMADDUBSW 100(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 100(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 100(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 100(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VMOVDQU (16+32*2)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(128)(SB), Y6, Y10
	VPMADDUBSW 132(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 132(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 132(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 132(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(160)(SB), Y6, Y10
	VPMADDUBSW 164(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 164(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 164(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 164(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VMOVDQU (16+32*3)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(192)(SB), Y6, Y10
	VPMADDUBSW 196(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 196(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 196(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 196(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(224)(SB), Y6, Y10
	VPMADDUBSW 228(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 228(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 228(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 228(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	MOVWLZX   0(SI), AX
	VMOVD     AX, X7
	VCVTPH2PS X7, X7
	VMOVSS    (DI), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y0, Y0
	VMOVUPS   0(SP), Y12
	VFMADD231PS Y0, Y11, Y12
	VMOVUPS   Y12, 0(SP)
	VMOVSS    (DI)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y1, Y1
	VMOVUPS   32(SP), Y12
	VFMADD231PS Y1, Y11, Y12
	VMOVUPS   Y12, 32(SP)
	VMOVSS    (R11), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y2, Y2
	VMOVUPS   64(SP), Y12
	VFMADD231PS Y2, Y11, Y12
	VMOVUPS   Y12, 64(SP)
	VMOVSS    (R11)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y3, Y3
	VMOVUPS   96(SP), Y12
	VFMADD231PS Y3, Y11, Y12
	VMOVUPS   Y12, 96(SP)
	ADDQ    $144, SI
	ADDQ    $292, DI
	ADDQ    $292, R11
	DECQ    CX
	JNZ     q4kx4loop

	MOVQ    out+32(FP), DX
	VMOVUPS 0(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 128(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 0(DX)
	VMOVUPS 32(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 144(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 4(DX)
	VMOVUPS 64(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 160(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 8(DX)
	VMOVUPS 96(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 176(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 12(DX)
	VZEROUPPER
	RET

// func dotQ5_Kx4AVX2(w, x *byte, xrb, nb int, out *[4]float32)
TEXT ·dotQ5_Kx4AVX2(SB), NOSPLIT, $192-40
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    xrb+16(FP), R8
	MOVQ    nb+24(FP), CX
	LEAQ    (DI)(R8*2), R11
	VXORPS  Y0, Y0, Y0
	VMOVUPS Y0, 0(SP)
	VMOVUPS Y0, 32(SP)
	VMOVUPS Y0, 64(SP)
	VMOVUPS Y0, 96(SP)
	VMOVUPS X0, 128(SP)
	VMOVUPS X0, 144(SP)
	VMOVUPS X0, 160(SP)
	VMOVUPS X0, 176(SP)
	VMOVDQU bmask<>+0(SB), Y15
	MOVL    $0x80000000, AX
	VMOVD   AX, X14
	VMOVDQU bmask<>+160(SB), Y13

q5kx4loop:
	KSCALES
	MOVWLZX   2(SI), AX
	VMOVD     AX, X8
	VCVTPH2PS X8, X8
	VEXTRACTI128 $1, Y6, X9
	VMOVDQU   260(DI), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VPHADDD   X10, X10, X10
	VPHADDD   X10, X10, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (DI), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VMOVSS    128(SP), X12
	VFMADD231SS X10, X11, X12
	VMOVSS    X12, 128(SP)
	VMOVDQU   260(DI)(R8*1), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VPHADDD   X10, X10, X10
	VPHADDD   X10, X10, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (DI)(R8*1), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VMOVSS    144(SP), X12
	VFMADD231SS X10, X11, X12
	VMOVSS    X12, 144(SP)
	VMOVDQU   260(R11), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VPHADDD   X10, X10, X10
	VPHADDD   X10, X10, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (R11), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VMOVSS    160(SP), X12
	VFMADD231SS X10, X11, X12
	VMOVSS    X12, 160(SP)
	VMOVDQU   260(R11)(R8*1), Y10
	VEXTRACTI128 $1, Y10, X11
	VPHADDW   X11, X10, X10
	VPMADDWD  X10, X9, X10
	VPHADDD   X10, X10, X10
	VPHADDD   X10, X10, X10
	VCVTDQ2PS X10, X10
	VMOVSS    (R11)(R8*1), X11
	VMULSS    X8, X11, X11
	VXORPS    X14, X11, X11
	VMOVSS    176(SP), X12
	VFMADD231SS X10, X11, X12
	VMOVSS    X12, 176(SP)
	VINSERTI128 $1, X6, Y6, Y6
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	VPXOR   Y2, Y2, Y2
	VPXOR   Y3, Y3, Y3
	VMOVDQU (48+32*0)(SI), Y4
	VPAND   Y15, Y4, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $0, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(0)(SB), Y6, Y10
	VPMADDUBSW 4(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 4(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 4(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 4(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $1, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(32)(SB), Y6, Y10
	VPMADDUBSW 36(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 36(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 36(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 36(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VMOVDQU (48+32*1)(SI), Y4
	VPAND   Y15, Y4, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $2, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(64)(SB), Y6, Y10
	VPMADDUBSW 68(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 68(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 68(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 68(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $3, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(96)(SB), Y6, Y10
	VPMADDUBSW 100(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 100(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 100(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 100(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VMOVDQU (48+32*2)(SI), Y4
	VPAND   Y15, Y4, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $4, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(128)(SB), Y6, Y10
	VPMADDUBSW 132(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 132(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 132(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 132(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $5, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(160)(SB), Y6, Y10
	VPMADDUBSW 164(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 164(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 164(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 164(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VMOVDQU (48+32*3)(SI), Y4
	VPAND   Y15, Y4, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $6, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(192)(SB), Y6, Y10
	VPMADDUBSW 196(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 196(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 196(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 196(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VMOVDQU 16(SI), Y10
	VPSRLW  $7, Y10, Y10
	VPAND   Y13, Y10, Y10
	VPSLLW  $4, Y10, Y10
	VPADDB  Y10, Y5, Y5
	VPSHUFB shufK4<>+(224)(SB), Y6, Y10
	VPMADDUBSW 228(DI), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y0, Y0
	VPMADDUBSW 228(DI)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y1, Y1
	VPMADDUBSW 228(R11), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y2, Y2
	VPMADDUBSW 228(R11)(R8*1), Y5, Y11
	VPMADDWD   Y10, Y11, Y11
	VPADDD     Y11, Y3, Y3
	MOVWLZX   0(SI), AX
	VMOVD     AX, X7
	VCVTPH2PS X7, X7
	VMOVSS    (DI), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y0, Y0
	VMOVUPS   0(SP), Y12
	VFMADD231PS Y0, Y11, Y12
	VMOVUPS   Y12, 0(SP)
	VMOVSS    (DI)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y1, Y1
	VMOVUPS   32(SP), Y12
	VFMADD231PS Y1, Y11, Y12
	VMOVUPS   Y12, 32(SP)
	VMOVSS    (R11), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y2, Y2
	VMOVUPS   64(SP), Y12
	VFMADD231PS Y2, Y11, Y12
	VMOVUPS   Y12, 64(SP)
	VMOVSS    (R11)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y3, Y3
	VMOVUPS   96(SP), Y12
	VFMADD231PS Y3, Y11, Y12
	VMOVUPS   Y12, 96(SP)
	ADDQ    $176, SI
	ADDQ    $292, DI
	ADDQ    $292, R11
	DECQ    CX
	JNZ     q5kx4loop

	MOVQ    out+32(FP), DX
	VMOVUPS 0(SP), Y0
	HSUM8(Y0, X0, X1)
	VADDSS 128(SP), X0, X0
	VMOVSS  X0, 0(DX)
	VMOVUPS 32(SP), Y0
	HSUM8(Y0, X0, X1)
	VADDSS 144(SP), X0, X0
	VMOVSS  X0, 4(DX)
	VMOVUPS 64(SP), Y0
	HSUM8(Y0, X0, X1)
	VADDSS 160(SP), X0, X0
	VMOVSS  X0, 8(DX)
	VMOVUPS 96(SP), Y0
	HSUM8(Y0, X0, X1)
	VADDSS 176(SP), X0, X0
	VMOVSS  X0, 12(DX)
	VZEROUPPER
	RET

// func dotQ6_Kx4AVX2(w, x *byte, xrb, nb int, out *[4]float32)
TEXT ·dotQ6_Kx4AVX2(SB), NOSPLIT, $192-40
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    xrb+16(FP), R8
	MOVQ    nb+24(FP), CX
	LEAQ    (DI)(R8*2), R11
	VXORPS  Y0, Y0, Y0
	VMOVUPS Y0, 0(SP)
	VMOVUPS Y0, 32(SP)
	VMOVUPS Y0, 64(SP)
	VMOVUPS Y0, 96(SP)
	VMOVUPS X0, 128(SP)
	VMOVUPS X0, 144(SP)
	VMOVUPS X0, 160(SP)
	VMOVUPS X0, 176(SP)
	VMOVDQU bmask<>+0(SB), Y15

q6kx4loop:
	VMOVDQU   192(SI), X12
	VPMOVSXBW X12, Y13
	VPMADDWD  260(DI), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y0, Y0, Y0
	VPSUBD    Y14, Y0, Y0
	VPMADDWD  260(DI)(R8*1), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y1, Y1, Y1
	VPSUBD    Y14, Y1, Y1
	VPMADDWD  260(R11), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y2, Y2, Y2
	VPSUBD    Y14, Y2, Y2
	VPMADDWD  260(R11)(R8*1), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y3, Y3, Y3
	VPSUBD    Y14, Y3, Y3
	VMOVDQU   (0)(SI), Y4
	VMOVDQU   (32)(SI), Y5
	VMOVDQU   (128)(SI), Y6
	VPAND     bmask<>+32(SB), Y6, Y7
	VPSLLW    $4, Y7, Y7
	VPAND     Y15, Y4, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(0)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 4(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 4(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 4(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 4(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	VPAND     bmask<>+64(SB), Y6, Y7
	VPSLLW    $2, Y7, Y7
	VPAND     Y15, Y5, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(16)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 36(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 36(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 36(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 36(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	VPAND     bmask<>+96(SB), Y6, Y7
	VPSRLW    $4, Y4, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(32)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 68(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 68(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 68(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 68(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	VPAND     bmask<>+128(SB), Y6, Y7
	VPSRLW    $2, Y7, Y7
	VPSRLW    $4, Y5, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(48)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 100(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 100(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 100(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 100(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	VMOVDQU   (64)(SI), Y4
	VMOVDQU   (96)(SI), Y5
	VMOVDQU   (160)(SI), Y6
	VPAND     bmask<>+32(SB), Y6, Y7
	VPSLLW    $4, Y7, Y7
	VPAND     Y15, Y4, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(64)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 132(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 132(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 132(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 132(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	VPAND     bmask<>+64(SB), Y6, Y7
	VPSLLW    $2, Y7, Y7
	VPAND     Y15, Y5, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(80)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 164(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 164(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 164(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 164(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	VPAND     bmask<>+96(SB), Y6, Y7
	VPSRLW    $4, Y4, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(96)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 196(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 196(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 196(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 196(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	VPAND     bmask<>+128(SB), Y6, Y7
	VPSRLW    $2, Y7, Y7
	VPSRLW    $4, Y5, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(112)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 228(DI), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y0, Y0
	VPMADDUBSW 228(DI)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y1, Y1
	VPMADDUBSW 228(R11), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y2, Y2
	VPMADDUBSW 228(R11)(R8*1), Y8, Y10
	VPMADDWD   Y9, Y10, Y10
	VPADDD     Y10, Y3, Y3
	MOVWLZX   208(SI), AX
	VMOVD     AX, X7
	VCVTPH2PS X7, X7
	VMOVSS    (DI), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y0, Y0
	VMOVUPS   0(SP), Y12
	VFMADD231PS Y0, Y11, Y12
	VMOVUPS   Y12, 0(SP)
	VMOVSS    (DI)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y1, Y1
	VMOVUPS   32(SP), Y12
	VFMADD231PS Y1, Y11, Y12
	VMOVUPS   Y12, 32(SP)
	VMOVSS    (R11), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y2, Y2
	VMOVUPS   64(SP), Y12
	VFMADD231PS Y2, Y11, Y12
	VMOVUPS   Y12, 64(SP)
	VMOVSS    (R11)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y3, Y3
	VMOVUPS   96(SP), Y12
	VFMADD231PS Y3, Y11, Y12
	VMOVUPS   Y12, 96(SP)
	ADDQ    $210, SI
	ADDQ    $292, DI
	ADDQ    $292, R11
	DECQ    CX
	JNZ     q6kx4loop

	MOVQ    out+32(FP), DX
	VMOVUPS 0(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 0(DX)
	VMOVUPS 32(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 4(DX)
	VMOVUPS 64(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 8(DX)
	VMOVUPS 96(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 12(DX)
	VZEROUPPER
	RET

// func quantQ8_0ActAVX2(x *float32, y *byte, nb int)
// Q8_0 activation rows as quant.QuantizeRowQ8_0Act writes them, bit for bit: per 32 values amax = max|x|,
// d = F16(amax/127) (VCVTPS2PH rounds to nearest even, as F32ToF16), q = round_to_nearest_even(x·(127/amax))
// (VCVTPS2DQ under the default rounding mode), or 0 when amax is 0.
TEXT ·quantQ8_0ActAVX2(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), SI
	MOVQ         y+8(FP), DI
	MOVQ         nb+16(FP), CX
	MOVL         $0x7fffffff, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	MOVL         $0x42fe0000, AX // 127.0
	VMOVD        AX, X14
	VMOVDQU      q8perm<>(SB), Y13
	VXORPS       X12, X12, X12

q8actloop:
	VMOVUPS      (SI), Y0
	VMOVUPS      32(SI), Y1
	VMOVUPS      64(SI), Y2
	VMOVUPS      96(SI), Y3
	VANDPS       Y15, Y0, Y4
	VANDPS       Y15, Y1, Y5
	VANDPS       Y15, Y2, Y6
	VANDPS       Y15, Y3, Y7
	VMAXPS       Y5, Y4, Y4
	VMAXPS       Y7, Y6, Y6
	VMAXPS       Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS       X5, X4, X4
	VMOVHLPS     X4, X4, X5
	VMAXPS       X5, X4, X4
	VMOVSHDUP    X4, X5
	VMAXSS       X5, X4, X4      // amax
	VDIVSS       X14, X4, X5     // amax/127
	VCVTPS2PH    $0, X5, X5
	VMOVD        X5, AX
	MOVW         AX, (DI)
	VDIVSS       X4, X14, X5     // 127/amax
	VCMPSS       $4, X12, X4, X6 // amax != 0
	VANDPS       X6, X5, X5
	VBROADCASTSS X5, Y5
	VMULPS       Y5, Y0, Y0
	VMULPS       Y5, Y1, Y1
	VMULPS       Y5, Y2, Y2
	VMULPS       Y5, Y3, Y3
	VCVTPS2DQ    Y0, Y0
	VCVTPS2DQ    Y1, Y1
	VCVTPS2DQ    Y2, Y2
	VCVTPS2DQ    Y3, Y3
	VPACKSSDW    Y1, Y0, Y0
	VPACKSSDW    Y3, Y2, Y2
	VPACKSSWB    Y2, Y0, Y0
	VPERMD       Y0, Y13, Y0
	VMOVDQU      Y0, 2(DI)
	ADDQ         $128, SI
	ADDQ         $34, DI
	DECQ         CX
	JNZ          q8actloop
	VZEROUPPER
	RET

DATA q8perm<>+0(SB)/4, $0
DATA q8perm<>+4(SB)/4, $4
DATA q8perm<>+8(SB)/4, $1
DATA q8perm<>+12(SB)/4, $5
DATA q8perm<>+16(SB)/4, $2
DATA q8perm<>+20(SB)/4, $6
DATA q8perm<>+24(SB)/4, $3
DATA q8perm<>+28(SB)/4, $7
GLOBL q8perm<>(SB), RODATA|NOPTR, $32

// Attention kernels. scoresF16/F32: out[u] = Σ_i q[i]·k_u[i] for nk cache rows k_u = k + u·ks (ks in bytes),
// eight rows at a time (one 8-lane FMA accumulator each, reduced by hsum_float_8), d a multiple of 8.
// pvF16/F32: out[i] = Σ_u p[u]·v_u[i] in u order with FMA, 64 columns at a time in eight accumulators, d a
// multiple of 64.

// func scoresF16AVX2(q *float32, k *uint16, ks, nk, d int, out *float32)
TEXT ·scoresF16AVX2(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), R9
	MOVQ ks+16(FP), R8
	MOVQ nk+24(FP), CX
	MOVQ d+32(FP), DX
	MOVQ out+40(FP), DI
	SHRQ $3, DX            // 8-element steps per row
	LEAQ (R8)(R8*2), R13   // 3·ks

sf16group:
	CMPQ CX, $8
	JLT  sf16single
	LEAQ (R9)(R13*1), R11  // row 3
	LEAQ (R11)(R13*1), R12 // row 6
	MOVQ R9, R10
	SCOREROWS

sf16step:
	VMOVUPS     (SI)(AX*2), Y8
	VCVTPH2PS   (R10), Y9
	VFMADD231PS Y9, Y8, Y0
	VCVTPH2PS   (R10)(R8*1), Y9
	VFMADD231PS Y9, Y8, Y1
	VCVTPH2PS   (R10)(R8*2), Y9
	VFMADD231PS Y9, Y8, Y2
	VCVTPH2PS   (R11), Y9
	VFMADD231PS Y9, Y8, Y3
	VCVTPH2PS   (R10)(R8*4), Y9
	VFMADD231PS Y9, Y8, Y4
	VCVTPH2PS   (R11)(R8*2), Y9
	VFMADD231PS Y9, Y8, Y5
	VCVTPH2PS   (R12), Y9
	VFMADD231PS Y9, Y8, Y6
	VCVTPH2PS   (R11)(R8*4), Y9
	VFMADD231PS Y9, Y8, Y7
	ADDQ        $16, R10
	ADDQ        $16, R11
	ADDQ        $16, R12
	ADDQ        $16, AX
	DECQ        BX
	JNZ         sf16step

	HSUM8(Y0, X0, X8)
	VMOVSS X0, (DI)
	HSUM8(Y1, X1, X8)
	VMOVSS X1, 4(DI)
	HSUM8(Y2, X2, X8)
	VMOVSS X2, 8(DI)
	HSUM8(Y3, X3, X8)
	VMOVSS X3, 12(DI)
	HSUM8(Y4, X4, X8)
	VMOVSS X4, 16(DI)
	HSUM8(Y5, X5, X8)
	VMOVSS X5, 20(DI)
	HSUM8(Y6, X6, X8)
	VMOVSS X6, 24(DI)
	HSUM8(Y7, X7, X8)
	VMOVSS X7, 28(DI)
	ADDQ   $32, DI
	LEAQ   (R9)(R8*8), R9
	SUBQ   $8, CX
	JMP    sf16group

sf16single:
	TESTQ CX, CX
	JZ    sf16done
	MOVQ  DX, BX
	XORQ  AX, AX
	MOVQ  R9, R10
	VXORPS Y0, Y0, Y0

sf16one:
	VMOVUPS     (SI)(AX*2), Y8
	VCVTPH2PS   (R10), Y9
	VFMADD231PS Y9, Y8, Y0
	ADDQ        $16, R10
	ADDQ        $16, AX
	DECQ        BX
	JNZ         sf16one
	HSUM8(Y0, X0, X8)
	VMOVSS X0, (DI)
	ADDQ   $4, DI
	ADDQ   R8, R9
	DECQ   CX
	JMP    sf16single

sf16done:
	VZEROUPPER
	RET

// func scoresF32AVX2(q *float32, k *float32, ks, nk, d int, out *float32)
TEXT ·scoresF32AVX2(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), R9
	MOVQ ks+16(FP), R8
	MOVQ nk+24(FP), CX
	MOVQ d+32(FP), DX
	MOVQ out+40(FP), DI
	SHRQ $3, DX
	LEAQ (R8)(R8*2), R13

sf32group:
	CMPQ CX, $8
	JLT  sf32single
	LEAQ (R9)(R13*1), R11
	LEAQ (R11)(R13*1), R12
	MOVQ R9, R10
	SCOREROWS

sf32step:
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     (R10), Y9
	VFMADD231PS Y9, Y8, Y0
	VMOVUPS     (R10)(R8*1), Y9
	VFMADD231PS Y9, Y8, Y1
	VMOVUPS     (R10)(R8*2), Y9
	VFMADD231PS Y9, Y8, Y2
	VMOVUPS     (R11), Y9
	VFMADD231PS Y9, Y8, Y3
	VMOVUPS     (R10)(R8*4), Y9
	VFMADD231PS Y9, Y8, Y4
	VMOVUPS     (R11)(R8*2), Y9
	VFMADD231PS Y9, Y8, Y5
	VMOVUPS     (R12), Y9
	VFMADD231PS Y9, Y8, Y6
	VMOVUPS     (R11)(R8*4), Y9
	VFMADD231PS Y9, Y8, Y7
	ADDQ        $32, R10
	ADDQ        $32, R11
	ADDQ        $32, R12
	ADDQ        $32, AX
	DECQ        BX
	JNZ         sf32step

	HSUM8(Y0, X0, X8)
	VMOVSS X0, (DI)
	HSUM8(Y1, X1, X8)
	VMOVSS X1, 4(DI)
	HSUM8(Y2, X2, X8)
	VMOVSS X2, 8(DI)
	HSUM8(Y3, X3, X8)
	VMOVSS X3, 12(DI)
	HSUM8(Y4, X4, X8)
	VMOVSS X4, 16(DI)
	HSUM8(Y5, X5, X8)
	VMOVSS X5, 20(DI)
	HSUM8(Y6, X6, X8)
	VMOVSS X6, 24(DI)
	HSUM8(Y7, X7, X8)
	VMOVSS X7, 28(DI)
	ADDQ   $32, DI
	LEAQ   (R9)(R8*8), R9
	SUBQ   $8, CX
	JMP    sf32group

sf32single:
	TESTQ CX, CX
	JZ    sf32done
	MOVQ  DX, BX
	XORQ  AX, AX
	MOVQ  R9, R10
	VXORPS Y0, Y0, Y0

sf32one:
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     (R10), Y9
	VFMADD231PS Y9, Y8, Y0
	ADDQ        $32, R10
	ADDQ        $32, AX
	DECQ        BX
	JNZ         sf32one
	HSUM8(Y0, X0, X8)
	VMOVSS X0, (DI)
	ADDQ   $4, DI
	ADDQ   R8, R9
	DECQ   CX
	JMP    sf32single

sf32done:
	VZEROUPPER
	RET

// func pvF16AVX2(p *float32, v *uint16, vs, nk, d int, out *float32)
TEXT ·pvF16AVX2(SB), NOSPLIT, $0-48
	MOVQ v+8(FP), R9
	MOVQ vs+16(FP), R8
	MOVQ d+32(FP), DX
	MOVQ out+40(FP), DI
	SHRQ $6, DX            // 64-column chunks

pvf16chunk:
	MOVQ   p+0(FP), SI
	MOVQ   nk+24(FP), CX
	MOVQ   R9, R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

pvf16row:
	VBROADCASTSS (SI), Y8
	VCVTPH2PS    (R10), Y9
	VFMADD231PS  Y9, Y8, Y0
	VCVTPH2PS    16(R10), Y9
	VFMADD231PS  Y9, Y8, Y1
	VCVTPH2PS    32(R10), Y9
	VFMADD231PS  Y9, Y8, Y2
	VCVTPH2PS    48(R10), Y9
	VFMADD231PS  Y9, Y8, Y3
	VCVTPH2PS    64(R10), Y9
	VFMADD231PS  Y9, Y8, Y4
	VCVTPH2PS    80(R10), Y9
	VFMADD231PS  Y9, Y8, Y5
	VCVTPH2PS    96(R10), Y9
	VFMADD231PS  Y9, Y8, Y6
	VCVTPH2PS    112(R10), Y9
	VFMADD231PS  Y9, Y8, Y7
	ADDQ         $4, SI
	ADDQ         R8, R10
	DECQ         CX
	JNZ          pvf16row

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ    $256, DI
	ADDQ    $128, R9
	DECQ    DX
	JNZ     pvf16chunk
	VZEROUPPER
	RET

// func pvF32AVX2(p *float32, v *float32, vs, nk, d int, out *float32)
TEXT ·pvF32AVX2(SB), NOSPLIT, $0-48
	MOVQ v+8(FP), R9
	MOVQ vs+16(FP), R8
	MOVQ d+32(FP), DX
	MOVQ out+40(FP), DI
	SHRQ $6, DX

pvf32chunk:
	MOVQ   p+0(FP), SI
	MOVQ   nk+24(FP), CX
	MOVQ   R9, R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

pvf32row:
	VBROADCASTSS (SI), Y8
	VFMADD231PS  (R10), Y8, Y0
	VFMADD231PS  32(R10), Y8, Y1
	VFMADD231PS  64(R10), Y8, Y2
	VFMADD231PS  96(R10), Y8, Y3
	VFMADD231PS  128(R10), Y8, Y4
	VFMADD231PS  160(R10), Y8, Y5
	VFMADD231PS  192(R10), Y8, Y6
	VFMADD231PS  224(R10), Y8, Y7
	ADDQ         $4, SI
	ADDQ         R8, R10
	DECQ         CX
	JNZ          pvf32row

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ    $256, DI
	ADDQ    $256, R9
	DECQ    DX
	JNZ     pvf32chunk
	VZEROUPPER
	RET

// Four weight rows against one activation row (decode): the single-row Q8_0 kernel run on rows w, w+wrb,
// w+2·wrb, w+3·wrb at once, so four independent FMA chains hide each other's latency and the activation
// block is loaded once. Bit-identical to four single-row calls.

// func dotQ8_0r4VNNI(w *byte, wrb int, x *byte, nb int, out *[4]float32)
TEXT ·dotQ8_0r4VNNI(SB), NOSPLIT, $0-40
	R4SETUP

q80r4vloop:
	R4X
	R4PREFETCH(136)
	R4ROW((SI), 2(SI), Y0, X6, Y6, Y7, Y8, Y9)
	R4ROW((SI)(R8*1), 2(SI)(R8*1), Y1, X10, Y10, Y11, Y12, Y13)
	R4ROW((SI)(R8*2), 2(SI)(R8*2), Y2, X6, Y6, Y7, Y8, Y9)
	R4ROW((R11), 2(R11), Y3, X10, Y10, Y11, Y12, Y13)
	ADDQ $34, SI
	ADDQ $34, R11
	ADDQ $34, DI
	DECQ CX
	JNZ  q80r4vloop

	X4STORE
	RET

// func dotQ8_0r4AVX2(w *byte, wrb int, x *byte, nb int, out *[4]float32)
TEXT ·dotQ8_0r4AVX2(SB), NOSPLIT, $0-40
	R4SETUP
	ONES16(Y15)

q80r4loop:
	R4X
	R4PREFETCH(136)
	R4ROWA((SI), 2(SI), Y0, X6, Y6, Y7, Y8, Y9)
	R4ROWA((SI)(R8*1), 2(SI)(R8*1), Y1, X10, Y10, Y11, Y12, Y13)
	R4ROWA((SI)(R8*2), 2(SI)(R8*2), Y2, X6, Y6, Y7, Y8, Y9)
	R4ROWA((R11), 2(R11), Y3, X10, Y10, Y11, Y12, Y13)
	ADDQ $34, SI
	ADDQ $34, R11
	ADDQ $34, DI
	DECQ CX
	JNZ  q80r4loop

	X4STORE
	RET

// expc: 32-byte rows of the constants of ggml_v_expf (and of its 2^n scaling), one per row:
// r 0, l2e 32, c1 64, c2 96, p4 128, p3 160, p2 192, p1 224, p0 256, one 288, c192 320, abs 352, inf 384, lo 416, hi 448, bias 480
DATA expc<>+0(SB)/8, $0x4b4000004b400000
DATA expc<>+8(SB)/8, $0x4b4000004b400000
DATA expc<>+16(SB)/8, $0x4b4000004b400000
DATA expc<>+24(SB)/8, $0x4b4000004b400000
DATA expc<>+32(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expc<>+40(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expc<>+48(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expc<>+56(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expc<>+64(SB)/8, $0x3f3172003f317200
DATA expc<>+72(SB)/8, $0x3f3172003f317200
DATA expc<>+80(SB)/8, $0x3f3172003f317200
DATA expc<>+88(SB)/8, $0x3f3172003f317200
DATA expc<>+96(SB)/8, $0x35bfbe8e35bfbe8e
DATA expc<>+104(SB)/8, $0x35bfbe8e35bfbe8e
DATA expc<>+112(SB)/8, $0x35bfbe8e35bfbe8e
DATA expc<>+120(SB)/8, $0x35bfbe8e35bfbe8e
DATA expc<>+128(SB)/8, $0x3c0720103c072010
DATA expc<>+136(SB)/8, $0x3c0720103c072010
DATA expc<>+144(SB)/8, $0x3c0720103c072010
DATA expc<>+152(SB)/8, $0x3c0720103c072010
DATA expc<>+160(SB)/8, $0x3d2b9f173d2b9f17
DATA expc<>+168(SB)/8, $0x3d2b9f173d2b9f17
DATA expc<>+176(SB)/8, $0x3d2b9f173d2b9f17
DATA expc<>+184(SB)/8, $0x3d2b9f173d2b9f17
DATA expc<>+192(SB)/8, $0x3e2aaf333e2aaf33
DATA expc<>+200(SB)/8, $0x3e2aaf333e2aaf33
DATA expc<>+208(SB)/8, $0x3e2aaf333e2aaf33
DATA expc<>+216(SB)/8, $0x3e2aaf333e2aaf33
DATA expc<>+224(SB)/8, $0x3efffedb3efffedb
DATA expc<>+232(SB)/8, $0x3efffedb3efffedb
DATA expc<>+240(SB)/8, $0x3efffedb3efffedb
DATA expc<>+248(SB)/8, $0x3efffedb3efffedb
DATA expc<>+256(SB)/8, $0x3f7ffff63f7ffff6
DATA expc<>+264(SB)/8, $0x3f7ffff63f7ffff6
DATA expc<>+272(SB)/8, $0x3f7ffff63f7ffff6
DATA expc<>+280(SB)/8, $0x3f7ffff63f7ffff6
DATA expc<>+288(SB)/8, $0x3f8000003f800000
DATA expc<>+296(SB)/8, $0x3f8000003f800000
DATA expc<>+304(SB)/8, $0x3f8000003f800000
DATA expc<>+312(SB)/8, $0x3f8000003f800000
DATA expc<>+320(SB)/8, $0x4340000043400000
DATA expc<>+328(SB)/8, $0x4340000043400000
DATA expc<>+336(SB)/8, $0x4340000043400000
DATA expc<>+344(SB)/8, $0x4340000043400000
DATA expc<>+352(SB)/8, $0x7fffffff7fffffff
DATA expc<>+360(SB)/8, $0x7fffffff7fffffff
DATA expc<>+368(SB)/8, $0x7fffffff7fffffff
DATA expc<>+376(SB)/8, $0x7fffffff7fffffff
DATA expc<>+384(SB)/8, $0x7f8000007f800000
DATA expc<>+392(SB)/8, $0x7f8000007f800000
DATA expc<>+400(SB)/8, $0x7f8000007f800000
DATA expc<>+408(SB)/8, $0x7f8000007f800000
DATA expc<>+416(SB)/8, $0xc2fa0000c2fa0000
DATA expc<>+424(SB)/8, $0xc2fa0000c2fa0000
DATA expc<>+432(SB)/8, $0xc2fa0000c2fa0000
DATA expc<>+440(SB)/8, $0xc2fa0000c2fa0000
DATA expc<>+448(SB)/8, $0x42fe000042fe0000
DATA expc<>+456(SB)/8, $0x42fe000042fe0000
DATA expc<>+464(SB)/8, $0x42fe000042fe0000
DATA expc<>+472(SB)/8, $0x42fe000042fe0000
DATA expc<>+480(SB)/8, $0x0000007f0000007f
DATA expc<>+488(SB)/8, $0x0000007f0000007f
DATA expc<>+496(SB)/8, $0x0000007f0000007f
DATA expc<>+504(SB)/8, $0x0000007f0000007f
GLOBL expc<>(SB), RODATA|NOPTR, $512

// func swigluAVX2(gate, up, y *float32, n int): y = silu(gate)·up, silu(x) = x/(1 + ggml_v_expf(-x)) (ggml_v_silu);
// n a multiple of 8.
TEXT ·swigluAVX2(SB), NOSPLIT, $0-32
	MOVQ gate+0(FP), SI
	MOVQ up+8(FP), BX
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   swigludone

swigluloop:
	VMOVUPS (SI), Y0
	VXORPS  Y1, Y1, Y1
	VSUBPS  Y0, Y1, Y1
	EXPV(Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9)
	VADDPS  expc<>+288(SB), Y2, Y2
	VDIVPS  Y2, Y0, Y0
	VMULPS  (BX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     swigluloop

swigludone:
	VZEROUPPER
	RET

// func softmaxExpAVX2(x *float32, mx float32, y *float32, nchunk int) float64
// For each chunk of 16: y = ggml_v_expf(x - mx), and the chunk's sum as GCC's _mm512_reduce_add_ps forms it
// ((hi8 + lo8), then (hi4 + lo4), then (0+2, 1+3), then 0+1) is added, as float64, to the returned sum: what
// ggml_vec_soft_max_f32 does on AVX-512.
TEXT ·softmaxExpAVX2(SB), NOSPLIT, $0-40
	MOVQ         x+0(FP), SI
	VBROADCASTSS mx+8(FP), Y15
	MOVQ         y+16(FP), DI
	MOVQ         nchunk+24(FP), CX
	VXORPD       X14, X14, X14
	TESTQ        CX, CX
	JZ           smdone

smloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y15, Y0, Y0
	EXPV(Y0, Y10, Y3, Y4, Y5, Y6, Y7, Y8, Y9)
	VMOVUPS 32(SI), Y0
	VSUBPS  Y15, Y0, Y0
	EXPV(Y0, Y11, Y3, Y4, Y5, Y6, Y7, Y8, Y9)
	VMOVUPS Y10, (DI)
	VMOVUPS Y11, 32(DI)
	VADDPS  Y10, Y11, Y11
	VEXTRACTF128 $1, Y11, X12
	VADDPS  X11, X12, X12
	VPERMILPS $0x4e, X12, X13
	VADDPS  X13, X12, X12
	VMOVSHDUP X12, X13
	VADDSS  X13, X12, X12
	VCVTSS2SD X12, X12, X12
	VADDSD  X12, X14, X14
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     smloop

smdone:
	VMOVSD X14, ret+32(FP)
	VZEROUPPER
	RET

// func dotQ4_0r4VNNI(w *byte, wrb int, x *byte, nb int, out *[4]float32)
TEXT ·dotQ4_0r4VNNI(SB), NOSPLIT, $0-40
	R4SETUP
	Q40CONST

q40r4vloop:
	R4X
	R4PREFETCH(72)
	R4ROW40((SI), 2(SI), Y0, X6, Y6, X7, Y7, X8, Y8, Y9)
	R4ROW40((SI)(R8*1), 2(SI)(R8*1), Y1, X10, Y10, X11, Y11, X12, Y12, Y15)
	R4ROW40((SI)(R8*2), 2(SI)(R8*2), Y2, X6, Y6, X7, Y7, X8, Y8, Y9)
	R4ROW40((R11), 2(R11), Y3, X10, Y10, X11, Y11, X12, Y12, Y15)
	ADDQ $18, SI
	ADDQ $18, R11
	ADDQ $34, DI
	DECQ CX
	JNZ  q40r4vloop

	X4STORE
	RET

// func dotQ4_0r4AVX2(w *byte, wrb int, x *byte, nb int, out *[4]float32)
TEXT ·dotQ4_0r4AVX2(SB), NOSPLIT, $0-40
	R4SETUP
	Q40CONST

q40r4loop:
	R4X
	R4PREFETCH(72)
	R4ROW40A((SI), 2(SI), Y0, X6, Y6, X7, Y7, X8, Y8, Y9)
	R4ROW40A((SI)(R8*1), 2(SI)(R8*1), Y1, X10, Y10, X11, Y11, X12, Y12, Y15)
	R4ROW40A((SI)(R8*2), 2(SI)(R8*2), Y2, X6, Y6, X7, Y7, X8, Y8, Y9)
	R4ROW40A((R11), 2(R11), Y3, X10, Y10, X11, Y11, X12, Y12, Y15)
	ADDQ $18, SI
	ADDQ $18, R11
	ADDQ $34, DI
	DECQ CX
	JNZ  q40r4loop

	X4STORE
	RET

DATA ones16<>+0(SB)/8, $0x0001000100010001
DATA ones16<>+8(SB)/8, $0x0001000100010001
DATA ones16<>+16(SB)/8, $0x0001000100010001
DATA ones16<>+24(SB)/8, $0x0001000100010001
GLOBL ones16<>(SB), RODATA|NOPTR, $32

// func quantQ8_KAVX2(x *float32, y *byte) bool
// One Q8_K block (256 values) as quant.QuantizeRowQ8K writes it, bit for bit: mx = the first value of largest
// magnitude, iscale = -127/mx, q = round_to_nearest_even(iscale·x) (VCVTPS2DQ under the default rounding
// mode), d = 1/iscale, bsums = sums of 16 quants. It writes nothing and returns false when the block holds a
// NaN or an infinity, is all zeros or is so small that -127/mx overflows: the caller encodes those few blocks
// with the reference.
TEXT ·quantQ8_KAVX2(SB), NOSPLIT, $0-17
	MOVQ         x+0(FP), SI
	MOVQ         y+8(FP), DI
	MOVL         $0x7fffffff, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	VXORPS       Y8, Y8, Y8     // lane maxima of |x|
	VXORPS       Y9, Y9, Y9     // NaN lanes
	XORQ         CX, CX

q8kmax:
	VMOVUPS      (SI)(CX*1), Y0
	VMOVUPS      32(SI)(CX*1), Y1
	VANDPS       Y15, Y0, Y2
	VANDPS       Y15, Y1, Y3
	VCMPPS       $3, Y0, Y0, Y4 // unordered: NaN
	VCMPPS       $3, Y1, Y1, Y5
	VORPS        Y4, Y9, Y9
	VORPS        Y5, Y9, Y9
	VMAXPS       Y8, Y2, Y8
	VMAXPS       Y8, Y3, Y8
	ADDQ         $64, CX
	CMPQ         CX, $1024
	JB           q8kmax
	VMOVMSKPS    Y9, AX
	TESTL        AX, AX
	JNZ          q8kref
	VEXTRACTF128 $1, Y8, X0
	VMAXPS       X0, X8, X8
	VMOVHLPS     X8, X8, X0
	VMAXPS       X0, X8, X8
	VMOVSHDUP    X8, X0
	VMAXSS       X0, X8, X8     // amax
	VMOVD        X8, AX
	TESTL        AX, AX
	JZ           q8kref         // all zeros
	CMPL         AX, $0x7f800000
	JAE          q8kref         // infinity
	VBROADCASTSS X8, Y8

	// The first lane whose |x| equals amax holds mx (signedAbsMax keeps the first of equal magnitudes).
	XORQ         CX, CX

q8kfind:
	VANDPS       (SI)(CX*1), Y15, Y0
	VCMPPS       $0, Y8, Y0, Y0
	VMOVMSKPS    Y0, AX
	TESTL        AX, AX
	JNZ          q8kfound
	ADDQ         $32, CX
	CMPQ         CX, $1024
	JB           q8kfind
	JMP          q8kref

q8kfound:
	BSFL         AX, AX
	LEAQ         (SI)(CX*1), DX
	VMOVSS       (DX)(AX*4), X1 // mx
	MOVL         $0xc2fe0000, AX // -127.0
	VMOVD        AX, X2
	VDIVSS       X1, X2, X3     // iscale = -127/mx
	VANDPS       X15, X3, X4
	VMOVD        X4, AX
	CMPL         AX, $0x7f800000
	JAE          q8kref         // -127/mx overflowed
	MOVL         $0x3f800000, AX // 1.0
	VMOVD        AX, X4
	VDIVSS       X3, X4, X4     // d = 1/iscale
	VMOVSS       X4, (DI)
	VBROADCASTSS X3, Y3
	VMOVDQU      q8perm<>(SB), Y13
	LEAQ         4(DI), R8      // quants
	LEAQ         260(DI), R9    // bsums
	MOVQ         $8, CX

q8kq:
	VMULPS       (SI), Y3, Y0
	VMULPS       32(SI), Y3, Y1
	VMULPS       64(SI), Y3, Y2
	VMULPS       96(SI), Y3, Y4
	VCVTPS2DQ    Y0, Y0
	VCVTPS2DQ    Y1, Y1
	VCVTPS2DQ    Y2, Y2
	VCVTPS2DQ    Y4, Y4
	VPADDD       Y1, Y0, Y5     // quants 0..15, eight lanes
	VPADDD       Y4, Y2, Y6     // quants 16..31
	VPHADDD      Y6, Y5, Y5
	VPHADDD      Y5, Y5, Y5
	VEXTRACTI128 $1, Y5, X6
	VPADDD       X6, X5, X5     // [s0, s1, s0, s1]
	VPACKSSDW    X5, X5, X5
	VMOVD        X5, (R9)
	VPACKSSDW    Y1, Y0, Y0
	VPACKSSDW    Y4, Y2, Y2
	VPACKSSWB    Y2, Y0, Y0
	VPERMD       Y0, Y13, Y0
	VMOVDQU      Y0, (R8)
	ADDQ         $128, SI
	ADDQ         $32, R8
	ADDQ         $4, R9
	DECQ         CX
	JNZ          q8kq
	VZEROUPPER
	MOVB         $1, ret+16(FP)
	RET

q8kref:
	VZEROUPPER
	MOVB         $0, ret+16(FP)
	RET

// Q4KSUBV(j): Q4KSUB for VNNI: the sub-block pair lands in Y10 and Y11 (two chains), VPDPWSSD doing the
// multiply-add of VPMADDWD+VPADDD.
#define Q4KSUBV(j) \
	VMOVDQU    (16+32*j)(SI), Y2           \
	VPSRLW     $4, Y2, Y3                  \
	VPAND      Y15, Y2, Y2                 \
	VPAND      Y15, Y3, Y3                 \
	VPMADDUBSW (4+64*j)(DI), Y2, Y2        \
	VPMADDUBSW (36+64*j)(DI), Y3, Y3       \
	VPSHUFB    shufK4<>+(64*j)(SB), Y6, Y4 \
	VPSHUFB    shufK4<>+(64*j+32)(SB), Y6, Y5 \
	VPDPWSSD   Y4, Y2, Y10                 \
	VPDPWSSD   Y5, Y3, Y11

// func dotQ4_KVNNI(w, x *byte, nb int) float32
TEXT ·dotQ4_KVNNI(SB), NOSPLIT, $0-28
	MOVQ   w+0(FP), SI
	MOVQ   x+8(FP), DI
	MOVQ   nb+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VMOVDQU bmask<>+0(SB), Y15
	MOVL   $0x80000000, AX
	VMOVD  AX, X14

q4kvloop:
	KSCALES
	KMINQ8S
	VCVTDQ2PS    X7, X7
	KD(2, X4)
	VXORPS       X14, X4, X4
	VBROADCASTSS X4, X4
	VFMADD231PS  X7, X4, X1
	VINSERTI128  $1, X6, Y6, Y6
	VPXOR        Y10, Y10, Y10
	VPXOR        Y11, Y11, Y11
	Q4KSUBV(0)
	Q4KSUBV(1)
	Q4KSUBV(2)
	Q4KSUBV(3)
	VPADDD       Y11, Y10, Y10
	KD(0, X4)
	VBROADCASTSS X4, Y4
	VCVTDQ2PS    Y10, Y10
	VFMADD231PS  Y10, Y4, Y0
	ADDQ         $144, SI
	ADDQ         $292, DI
	DECQ         CX
	JNZ          q4kvloop

	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	HSUM8(Y0, X0, X2)
	VADDSS    X1, X0, X0
	VMOVSS    X0, ret+24(FP)
	VZEROUPPER
	RET

// dotQ4_Kx4VNNI: dotQ4_Kx4AVX2 with each VPMADDWD+VPADDD pair fused into VPDPWSSD (AVX-512 VNNI on ymm), the
// low- and high-nibble sub-blocks summed in separate accumulators (Y0-Y3, Y7-Y9/Y13) to halve the dependency
// chains. Integer sums wrap the same way in either order, so the results are bit-identical to the AVX2 kernel.
// func dotQ4_Kx4VNNI(w, x *byte, xrb, nb int, out *[4]float32)
TEXT ·dotQ4_Kx4VNNI(SB), NOSPLIT, $192-40
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    xrb+16(FP), R8
	MOVQ    nb+24(FP), CX
	LEAQ    (DI)(R8*2), R11
	VXORPS  Y0, Y0, Y0
	VMOVUPS Y0, 0(SP)
	VMOVUPS Y0, 32(SP)
	VMOVUPS Y0, 64(SP)
	VMOVUPS Y0, 96(SP)
	VMOVUPS X0, 128(SP)
	VMOVUPS X0, 144(SP)
	VMOVUPS X0, 160(SP)
	VMOVUPS X0, 176(SP)
	VMOVDQU bmask<>+0(SB), Y15
	MOVL    $0x80000000, AX
	VMOVD   AX, X14

q4kx4vloop:
	KSCALES
	// Mins, two rows per register: the lanes of rows t and t+1 are the single-row kernel's, side by side
	// (-dmin·dx is -(dx·dmin) bit for bit).
	MOVWLZX   2(SI), AX
	VMOVD     AX, X8
	VCVTPH2PS X8, X8
	VXORPS    X14, X8, X8
	VEXTRACTI128 $1, Y6, X9
	VINSERTI128  $1, X9, Y9, Y9
	VMOVDQU    260(DI), Y10
	VMOVDQU    260(DI)(R8*1), Y11
	VPERM2I128 $0x20, Y11, Y10, Y12
	VPERM2I128 $0x31, Y11, Y10, Y10
	VPHADDW    Y10, Y12, Y10
	VPMADDWD   Y10, Y9, Y10
	VCVTDQ2PS  Y10, Y10
	VMULSS     (DI), X8, X11
	VBROADCASTSS X11, X11
	VMULSS     (DI)(R8*1), X8, X12
	VBROADCASTSS X12, X12
	VINSERTF128 $1, X12, Y11, Y11
	VMOVUPS    128(SP), Y12
	VFMADD231PS Y10, Y11, Y12
	VMOVUPS    Y12, 128(SP)
	VMOVDQU    260(R11), Y10
	VMOVDQU    260(R11)(R8*1), Y11
	VPERM2I128 $0x20, Y11, Y10, Y12
	VPERM2I128 $0x31, Y11, Y10, Y10
	VPHADDW    Y10, Y12, Y10
	VPMADDWD   Y10, Y9, Y10
	VCVTDQ2PS  Y10, Y10
	VMULSS     (R11), X8, X11
	VBROADCASTSS X11, X11
	VMULSS     (R11)(R8*1), X8, X12
	VBROADCASTSS X12, X12
	VINSERTF128 $1, X12, Y11, Y11
	VMOVUPS    160(SP), Y12
	VFMADD231PS Y10, Y11, Y12
	VMOVUPS    Y12, 160(SP)
	VINSERTI128 $1, X6, Y6, Y6
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	VPXOR   Y2, Y2, Y2
	VPXOR   Y3, Y3, Y3
	VPXOR   Y7, Y7, Y7
	VPXOR   Y8, Y8, Y8
	VPXOR   Y9, Y9, Y9
	VPXOR   Y13, Y13, Y13
	VMOVDQU (16+32*0)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(0)(SB), Y6, Y10
	VPMADDUBSW 4(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y0
	VPMADDUBSW 4(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y1
	VPMADDUBSW 4(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y2
	VPMADDUBSW 4(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(32)(SB), Y6, Y10
	VPMADDUBSW 36(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y7
	VPMADDUBSW 36(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y8
	VPMADDUBSW 36(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y9
	VPMADDUBSW 36(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y13
	VMOVDQU (16+32*1)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(64)(SB), Y6, Y10
	VPMADDUBSW 68(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y0
	VPMADDUBSW 68(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y1
	VPMADDUBSW 68(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y2
	VPMADDUBSW 68(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(96)(SB), Y6, Y10
	VPMADDUBSW 100(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y7
	VPMADDUBSW 100(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y8
	VPMADDUBSW 100(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y9
	VPMADDUBSW 100(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y13
	VMOVDQU (16+32*2)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(128)(SB), Y6, Y10
	VPMADDUBSW 132(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y0
	VPMADDUBSW 132(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y1
	VPMADDUBSW 132(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y2
	VPMADDUBSW 132(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(160)(SB), Y6, Y10
	VPMADDUBSW 164(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y7
	VPMADDUBSW 164(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y8
	VPMADDUBSW 164(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y9
	VPMADDUBSW 164(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y13
	VMOVDQU (16+32*3)(SI), Y4
	VPAND   Y15, Y4, Y5
	VPSHUFB shufK4<>+(192)(SB), Y6, Y10
	VPMADDUBSW 196(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y0
	VPMADDUBSW 196(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y1
	VPMADDUBSW 196(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y2
	VPMADDUBSW 196(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y3
	VPSRLW  $4, Y4, Y5
	VPAND   Y15, Y5, Y5
	VPSHUFB shufK4<>+(224)(SB), Y6, Y10
	VPMADDUBSW 228(DI), Y5, Y11
	VPDPWSSD   Y10, Y11, Y7
	VPMADDUBSW 228(DI)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y8
	VPMADDUBSW 228(R11), Y5, Y11
	VPDPWSSD   Y10, Y11, Y9
	VPMADDUBSW 228(R11)(R8*1), Y5, Y11
	VPDPWSSD   Y10, Y11, Y13
	VPADDD  Y7, Y0, Y0
	VPADDD  Y8, Y1, Y1
	VPADDD  Y9, Y2, Y2
	VPADDD  Y13, Y3, Y3
	MOVWLZX   0(SI), AX
	VMOVD     AX, X7
	VCVTPH2PS X7, X7
	VMULSS    (DI), X7, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y0, Y0
	VMOVUPS   0(SP), Y12
	VFMADD231PS Y0, Y11, Y12
	VMOVUPS   Y12, 0(SP)
	VMULSS    (DI)(R8*1), X7, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y1, Y1
	VMOVUPS   32(SP), Y12
	VFMADD231PS Y1, Y11, Y12
	VMOVUPS   Y12, 32(SP)
	VMULSS    (R11), X7, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y2, Y2
	VMOVUPS   64(SP), Y12
	VFMADD231PS Y2, Y11, Y12
	VMOVUPS   Y12, 64(SP)
	VMULSS    (R11)(R8*1), X7, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y3, Y3
	VMOVUPS   96(SP), Y12
	VFMADD231PS Y3, Y11, Y12
	VMOVUPS   Y12, 96(SP)
	ADDQ    $144, SI
	ADDQ    $292, DI
	ADDQ    $292, R11
	DECQ    CX
	JNZ     q4kx4vloop

	MOVQ    out+32(FP), DX
	VMOVUPS 0(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 128(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 0(DX)
	VMOVUPS 32(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 144(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 4(DX)
	VMOVUPS 64(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 160(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 8(DX)
	VMOVUPS 96(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVUPS 176(SP), X1
	VMOVHLPS  X1, X1, X2
	VADDPS    X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS    X2, X1, X1
	VADDSS    X1, X0, X0
	VMOVSS  X0, 12(DX)
	VZEROUPPER
	RET

// dotQ6_Kx4VNNI: dotQ6_Kx4AVX2 with each VPMADDWD+VPADDD pair fused into VPDPWSSD; bit-identical to it.
// func dotQ6_Kx4VNNI(w, x *byte, xrb, nb int, out *[4]float32)
TEXT ·dotQ6_Kx4VNNI(SB), NOSPLIT, $192-40
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    xrb+16(FP), R8
	MOVQ    nb+24(FP), CX
	LEAQ    (DI)(R8*2), R11
	VXORPS  Y0, Y0, Y0
	VMOVUPS Y0, 0(SP)
	VMOVUPS Y0, 32(SP)
	VMOVUPS Y0, 64(SP)
	VMOVUPS Y0, 96(SP)
	VMOVUPS X0, 128(SP)
	VMOVUPS X0, 144(SP)
	VMOVUPS X0, 160(SP)
	VMOVUPS X0, 176(SP)
	VMOVDQU bmask<>+0(SB), Y15

q6kx4vloop:
	VMOVDQU   192(SI), X12
	VPMOVSXBW X12, Y13
	VPMADDWD  260(DI), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y0, Y0, Y0
	VPSUBD    Y14, Y0, Y0
	VPMADDWD  260(DI)(R8*1), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y1, Y1, Y1
	VPSUBD    Y14, Y1, Y1
	VPMADDWD  260(R11), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y2, Y2, Y2
	VPSUBD    Y14, Y2, Y2
	VPMADDWD  260(R11)(R8*1), Y13, Y14
	VPSLLD    $5, Y14, Y14
	VPXOR     Y3, Y3, Y3
	VPSUBD    Y14, Y3, Y3
	VMOVDQU   (0)(SI), Y4
	VMOVDQU   (32)(SI), Y5
	VMOVDQU   (128)(SI), Y6
	VPAND     bmask<>+32(SB), Y6, Y7
	VPSLLW    $4, Y7, Y7
	VPAND     Y15, Y4, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(0)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 4(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 4(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 4(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 4(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	VPAND     bmask<>+64(SB), Y6, Y7
	VPSLLW    $2, Y7, Y7
	VPAND     Y15, Y5, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(16)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 36(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 36(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 36(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 36(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	VPAND     bmask<>+96(SB), Y6, Y7
	VPSRLW    $4, Y4, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(32)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 68(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 68(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 68(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 68(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	VPAND     bmask<>+128(SB), Y6, Y7
	VPSRLW    $2, Y7, Y7
	VPSRLW    $4, Y5, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(48)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 100(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 100(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 100(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 100(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	VMOVDQU   (64)(SI), Y4
	VMOVDQU   (96)(SI), Y5
	VMOVDQU   (160)(SI), Y6
	VPAND     bmask<>+32(SB), Y6, Y7
	VPSLLW    $4, Y7, Y7
	VPAND     Y15, Y4, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(64)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 132(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 132(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 132(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 132(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	VPAND     bmask<>+64(SB), Y6, Y7
	VPSLLW    $2, Y7, Y7
	VPAND     Y15, Y5, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(80)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 164(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 164(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 164(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 164(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	VPAND     bmask<>+96(SB), Y6, Y7
	VPSRLW    $4, Y4, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(96)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 196(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 196(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 196(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 196(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	VPAND     bmask<>+128(SB), Y6, Y7
	VPSRLW    $2, Y7, Y7
	VPSRLW    $4, Y5, Y8
	VPAND     Y15, Y8, Y8
	VPOR      Y7, Y8, Y8
	VPSHUFB   shufK6<>+(112)(SB), X12, X9
	VPMOVSXBW X9, Y9
	VPMADDUBSW 228(DI), Y8, Y10
	VPDPWSSD   Y9, Y10, Y0
	VPMADDUBSW 228(DI)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y1
	VPMADDUBSW 228(R11), Y8, Y10
	VPDPWSSD   Y9, Y10, Y2
	VPMADDUBSW 228(R11)(R8*1), Y8, Y10
	VPDPWSSD   Y9, Y10, Y3
	MOVWLZX   208(SI), AX
	VMOVD     AX, X7
	VCVTPH2PS X7, X7
	VMOVSS    (DI), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y0, Y0
	VMOVUPS   0(SP), Y12
	VFMADD231PS Y0, Y11, Y12
	VMOVUPS   Y12, 0(SP)
	VMOVSS    (DI)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y1, Y1
	VMOVUPS   32(SP), Y12
	VFMADD231PS Y1, Y11, Y12
	VMOVUPS   Y12, 32(SP)
	VMOVSS    (R11), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y2, Y2
	VMOVUPS   64(SP), Y12
	VFMADD231PS Y2, Y11, Y12
	VMOVUPS   Y12, 64(SP)
	VMOVSS    (R11)(R8*1), X11
	VMULSS    X7, X11, X11
	VBROADCASTSS X11, Y11
	VCVTDQ2PS Y3, Y3
	VMOVUPS   96(SP), Y12
	VFMADD231PS Y3, Y11, Y12
	VMOVUPS   Y12, 96(SP)
	ADDQ    $210, SI
	ADDQ    $292, DI
	ADDQ    $292, R11
	DECQ    CX
	JNZ     q6kx4vloop

	MOVQ    out+32(FP), DX
	VMOVUPS 0(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 0(DX)
	VMOVUPS 32(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 4(DX)
	VMOVUPS 64(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 8(DX)
	VMOVUPS 96(SP), Y0
	HSUM8(Y0, X0, X1)
	VMOVSS  X0, 12(DX)
	VZEROUPPER
	RET
