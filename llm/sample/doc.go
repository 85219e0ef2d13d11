// Package sample picks the next token from a row of logits.
//
// A Sampler applies, in the order of spec §5.5 (the Hugging Face warper order): presence and repetition
// penalties on the raw logits, temperature, top-k, top-p, min-p, then draws from what is left with its own
// seeded PCG generator (math/rand/v2), so a seed always gives the same tokens. Temperature 0 is greedy.
// Padding ids can be banned. Sampling a token allocates nothing: scratch space is allocated once, and top-k /
// top-p use a quickselect plus a sort of only the prefix they keep.
//
// Defaults returns Qwen's recommended settings (thinking: T=0.6, top-p 0.95, top-k 20, min-p 0;
// non-thinking: T=0.7, top-p 0.8, top-k 20, min-p 0); an Override from a model's generation_config or the
// user replaces single fields.
//
//	p := sample.Defaults(true).Apply(override)
//	s, err := sample.New(p, nVocab)
//	s.Reset(promptIDs)
//	id, err := s.Sample(logits)
//	s.Accept(id)
package sample
