// Package tokenizer implements Qwen3's byte-level BPE tokenizer with the exact semantics of the Hugging Face
// `tokenizers` library (the Rust core behind transformers' fast tokenizers), built either from the
// tokenizer.json / tokenizer_config.json pair of a Hugging Face checkpoint or from the tokenizer.ggml.* metadata
// of a GGUF file.
//
// Encoding runs the same pipeline as Hugging Face:
//
//  1. added tokens (<|im_start|>, <think>, ...) are split out of the raw text first, longest match wins,
//     honouring their lstrip / rstrip / single_word / normalized flags;
//  2. the remaining text is NFC-normalized;
//  3. it is cut into pre-tokens by a hand-written scanner equivalent to the Qwen2 split regex
//     (see pretokenize.go; Go's regexp cannot run the pattern's look-ahead);
//  4. each pre-token's UTF-8 bytes are merged by BPE rank (the GPT-2 byte-to-rune table only matters for the
//     vocabulary's string form; the merge loop works on ids).
//
// Usage:
//
//	tok, err := tokenizer.FromFiles("/models/Qwen3-8B")      // or tokenizer.FromGGUF(f)
//	ids := tok.Encode("<|im_start|>user\nhi<|im_end|>")    // [151644 872 198 6023 151645]
//	text := tok.Decode(ids)
//	sd := tok.NewStreamDecoder()                             // for generation: never emits half a character
//	for _, id := range generated { fmt.Print(sd.Add(id)) }
//	fmt.Print(sd.Flush())
//
// A Tokenizer is safe for concurrent use; it keeps a bounded cache of BPE results per pre-token.
//
// Invalid UTF-8 in the input is replaced by U+FFFD (one per maximal invalid subsequence, as Python's
// errors="replace" and JavaScript's TextDecoder do) before anything else, because the reference tokenizers
// only accept valid Unicode strings. Known differences between the Hugging Face tokenizer (which this package
// follows) and the transformers.js port used to produce the test fixture are listed in
// testdata/README.md.
package tokenizer
