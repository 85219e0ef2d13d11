//go:build !amd64 || purego

package cpu

import "github.com/qwenstudio/qwenstudio/llm/gguf"

// Without SIMD kernels for this architecture (or with the purego build tag) the pure-Go table is used as it is.

func simdName() string { return "pure Go kernels" }

func simdKernels(gguf.Type) []kernel { return nil }
