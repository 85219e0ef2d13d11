package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
)

// Float32s decodes an F32, F16 or BF16 tensor into a new float32 slice (NumElements values), for loaders and
// tests that want plain numbers rather than the stored bytes.
func (t *Tensor) Float32s() ([]float32, error) {
	n := t.NumElements()
	if int64(t.DType.Size())*n != int64(len(t.Data)) {
		return nil, fmt.Errorf("safetensors: tensor %q: %d bytes for %d elements of %s", t.Name, len(t.Data), n, t.DType)
	}
	out := make([]float32, n)
	d := t.Data
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
		}
	case F16:
		for i := range out {
			out[i] = quant.F16ToF32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = quant.BF16ToF32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	default:
		return nil, fmt.Errorf("safetensors: tensor %q: cannot convert %s to float32", t.Name, t.DType)
	}
	return out, nil
}
