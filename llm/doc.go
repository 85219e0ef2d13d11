// Package llm runs text generation: an Engine is a loaded model with its tokenizer, chat template and
// sampling defaults; a Session is one conversation's KV cache, and Session.Generate streams a reply.
//
// # Generating
//
//	e, err := llm.Load(ctx, "Qwen3-0.6B-Q8_0.gguf", llm.LoadOptions{})
//	s, err := e.NewSession(8192)
//	for ev, err := range s.Generate(ctx, msgs, llm.Options{Budget: 1024}) {
//		if err != nil { ... }
//		switch ev.Kind {
//		case llm.EventReasoning, llm.EventAnswer: fmt.Print(ev.Text)
//		case llm.EventDone: msgs = append(msgs, *ev.Message) // ev.Stats: speeds, stop reason
//		}
//	}
//
// Generate renders the conversation with the model's chat template (package chat), evaluates the prompt in
// batches (EventPrefill reports progress), then samples token by token (package sample) and parses the
// output into reasoning, answer and tool-call events. It stops on <|im_end|> or <|endoftext|>, after
// Options.MaxTokens, or when the context is full (StopContextFull); cancelling ctx stops it within one
// token.
//
// # Thinking
//
// Options.Think is the template's hard switch; /think and /no_think in messages are the soft ones. The
// sampling defaults follow the mode (Engine.Sampling: Qwen's recommendations, with the model's
// generation_config for its default mode). Options.Budget caps the reasoning: after that many reasoning
// tokens the session writes the early-stop text of the Qwen docs, which ends with </think>, and the model
// answers.
//
// # Multi-turn
//
// A Session keeps the tokens of its KV cache. Each call renders the whole conversation again (earlier turns
// lose their reasoning, as the template wants) and keeps the longest token prefix that the cache shares with
// the new prompt (Context.Truncate); only the rest is evaluated.
//
// # Models
//
// The engine works on the small Model and Context interfaces; Load wraps a Qwen3 model (package qwen3), and
// tests use fakes.
package llm
