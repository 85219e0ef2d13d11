package hub

import (
	"fmt"

	"github.com/qwenstudio/qwenstudio/platform"
)

// Verdict says whether a model fits in memory.
type Verdict string

const (
	Fits       Verdict = "fits"      // the estimate uses at most 80% of the available memory
	Tight      Verdict = "tight"     // it fits, but other programs may be pushed to swap or the model paged out
	WontFit    Verdict = "won't fit" // more than is available
	FitUnknown Verdict = "unknown"   // the shapes or the free memory are not known
)

// tightShare is the share of available memory above which a fit is called tight.
const tightShare = 0.8

// FitRequest describes a model to be loaded and how.
type FitRequest struct {
	Weights int64 // bytes of the weight files (all parts); they are memory-mapped and end up resident
	MMProj  int64 // bytes of the vision projector, 0 for a text-only load
	Dims    Dims
	Context int // KV-cache positions
	KVBytes int // bytes per cached K/V element: 2 (F16, the engine's default) or 4 (F32)
	Batch   int // tokens per forward pass (default 512, llm/qwen3.Batch)
}

// Fit is a memory estimate and the verdict against free memory.
type Fit struct {
	Weights   int64 // model weights
	KV        int64 // KV cache at Context positions
	Vision    int64 // vision tower: projector weights plus image activations
	Overhead  int64 // runtime: batch activations, output-head buffers, tokenizer, the program itself
	Total     int64
	Context   int
	Available uint64 // memory available now (platform.ReadMemory)
	RAM       uint64 // installed memory
	Verdict   Verdict
}

// Constants of the overhead model, checked against the measured peak RSS of generated models (see
// TestFitEstimateMatchesMeasuredPeak).
const (
	baseOverhead     = 16 << 20  // the Go runtime and the program itself, thread stacks
	tokenizerPerTok  = 300       // tokenizer tables per vocabulary entry, with the garbage of building them
	defaultVocab     = 151936    // Qwen3's, when a file does not say
	visionActivation = 256 << 20 // ViT activations and attention for one image at the default pixel budget
	lmChunk          = 32        // output-head rows computed per pass (llm/qwen3)
)

// EstimateFit computes the memory a load needs and compares it with mem.
func EstimateFit(req FitRequest, mem platform.Memory) Fit {
	d := req.Dims
	if req.KVBytes <= 0 {
		req.KVBytes = 2
	}
	if req.Batch <= 0 {
		req.Batch = 512
	}
	f := Fit{Weights: req.Weights, Context: req.Context, Available: mem.Available, RAM: mem.Total}
	kvDim := int64(d.KVHeads) * int64(d.HeadDim)
	f.KV = 2 * int64(d.Layers) * int64(req.Context) * kvDim * int64(req.KVBytes)
	if req.MMProj > 0 {
		f.Vision = req.MMProj + visionActivation
	}
	// Batch activations (llm/qwen3.NewContext): residual, normed copy and output [B][D]; q and attention
	// output [B][H·d]; k, v [B][Hkv·d]; gate and up [B][F] (MoE: [B·k][Fe], about the same); logits
	// [lmChunk][V] plus the last row. All float32.
	B := int64(min(req.Batch, max(req.Context, 1)))
	ff := int64(d.FF)
	if ff == 0 {
		ff = 3 * int64(d.Embd)
	}
	qd := int64(d.Heads) * int64(d.HeadDim)
	act := B*(3*int64(d.Embd)+2*qd+2*kvDim+2*ff) + lmChunk*int64(d.Vocab) + int64(d.Vocab) + lmChunk*int64(d.Embd)
	vocab := int64(d.Vocab)
	if vocab == 0 {
		vocab = defaultVocab
	}
	f.Overhead = baseOverhead + tokenizerPerTok*vocab + 4*act
	f.Total = f.Weights + f.KV + f.Vision + f.Overhead
	switch {
	case d.Layers == 0 || d.KVHeads == 0 || d.HeadDim == 0 || mem.Available == 0:
		f.Verdict = FitUnknown
	case float64(f.Total) <= tightShare*float64(mem.Available):
		f.Verdict = Fits
	case uint64(f.Total) <= mem.Available:
		f.Verdict = Tight
	default:
		f.Verdict = WontFit
	}
	return f
}

// String gives the verdict with its numbers: "fits: 5.03 GB weights + 1.21 GB KV (8192 ctx) + 0.17 GB
// runtime = 6.41 GB of 12.3 GB available".
func (f Fit) String() string {
	s := fmt.Sprintf("%s: %s weights + %s KV (%d ctx)", f.Verdict, FormatBytes(f.Weights), FormatBytes(f.KV), f.Context)
	if f.Vision > 0 {
		s += " + " + FormatBytes(f.Vision) + " vision"
	}
	s += fmt.Sprintf(" + %s runtime = %s", FormatBytes(f.Overhead), FormatBytes(f.Total))
	if f.Available > 0 {
		s += fmt.Sprintf(" of %s available", FormatBytes(int64(f.Available)))
	}
	return s
}

// FitFor estimates a catalog model at a quantization (or QuantSafetensors) and context before it is
// downloaded.
func FitFor(m *CatalogModel, quant string, ctx int, mem platform.Memory) (Fit, error) {
	req := FitRequest{Dims: m.Dims, Context: ctx}
	switch {
	case quant == QuantSafetensors && m.Safetensors != nil:
		req.Weights = m.Safetensors.Size
	default:
		q, ok := m.Quant(quant)
		if !ok {
			return Fit{}, fmt.Errorf("hub: %s has no quantization %q", m.Name, quant)
		}
		req.Weights = q.Size()
		if mp, ok := m.MMProj(""); ok && m.Vision {
			req.MMProj = mp.Size()
		}
	}
	return EstimateFit(req, mem), nil
}

// FitLocal estimates a model found on disk, at ctx positions (0: min(its context, 8192)).
func FitLocal(m LocalModel, ctx int, mem platform.Memory) Fit {
	if ctx <= 0 {
		ctx = 8192
		if m.Context > 0 {
			ctx = min(ctx, m.Context)
		}
	}
	req := FitRequest{Weights: m.Size, Dims: m.Dims, Context: ctx}
	if m.MMProj != "" {
		req.MMProj = sizeOf(nil, m.MMProj)
	}
	if req.Dims.Layers == 0 && m.Catalog != nil {
		req.Dims = m.Catalog.Dims
	}
	return EstimateFit(req, mem)
}
