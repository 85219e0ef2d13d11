// Package chat turns conversations into prompts and model output back into reasoning, answer and tool calls.
//
// # Prompts
//
// A Template is the model's own Jinja chat template (GGUF tokenizer.chat_template or tokenizer_config.json),
// run by github.com/ardanlabs/jinja. Rendering is byte-identical to the reference renderer
// (@huggingface/jinja) for the Qwen3 template: testdata/render holds requests and the reference output
// (regenerate with testdata/gen/gen.mjs). Messages and tools reach the template with their JSON key order
// kept (ValueFromJSON), because the template writes tools and tool-call arguments with tojson in that order.
// Builtin is the Qwen3 template for files that carry none.
//
//	tmpl, _ := chat.NewTemplate(src)
//	off := false
//	prompt, err := tmpl.Render(chat.Request{Messages: msgs, AddGenerationPrompt: true, EnableThinking: &off})
//
// # Thinking
//
// Qwen3 hybrid models think unless the hard switch enable_thinking=false is set (the template then writes an
// empty <think></think> block) or the latest soft switch (/think, /no_think written in a user or system
// message) says otherwise; Template.Thinking tells which mode a request is in. Thinking-2507 templates open
// <think> in the prompt themselves (OpensThinking). EarlyStopText closes reasoning when a thinking budget
// runs out (the session in package llm does that).
//
// # Output
//
// A Parser reads the generated text as it streams and emits Events: reasoning deltas, answer deltas and tool
// calls (<tool_call>{"name": ..., "arguments": {...}}</tool_call>). It copes with tags split across tokens,
// missing or stray tags, and a prompt that already opened <think>; raw think tags never reach the answer.
package chat
