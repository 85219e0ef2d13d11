package chat

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Kind says what an Event carries.
type Kind uint8

const (
	KindReasoning Kind = iota + 1 // Text is reasoning (inside <think>…</think>)
	KindAnswer                    // Text is answer text
	KindToolCall                  // ToolCall is a complete tool call
)

func (k Kind) String() string {
	switch k {
	case KindReasoning:
		return "reasoning"
	case KindAnswer:
		return "answer"
	case KindToolCall:
		return "tool_call"
	}
	return "unknown"
}

// Event is one piece of parsed model output.
type Event struct {
	Kind     Kind
	Text     string
	ToolCall *ToolCall
}

// Output tags (spec §5.4). They are plain text to the parser, so it works the same whether the tokenizer
// delivers a tag as one special token or in pieces.
const (
	tagThink     = "<think>"
	tagThinkEnd  = "</think>"
	tagTool      = "<tool_call>"
	tagToolEnd   = "</tool_call>"
	newlineChars = "\n"
)

type parserState uint8

const (
	stateStart     parserState = iota // nothing decided yet: a <think> may open the output
	stateReasoning                    // inside <think>
	stateAnswer
	stateToolCall // inside <tool_call>, collecting the JSON
)

// Parser splits a model's streamed output text into reasoning, answer and tool-call events.
//
// Feed it text as it is decoded, in pieces of any size; it holds back only what it cannot classify yet (a
// possible start of a tag, newlines that may precede a tag). The events do not depend on how the text was
// cut. Raw <think> and </think> tags never appear in the events: a stray <think> in the answer starts
// reasoning, a stray </think> (or </tool_call>) is removed from the text. Newlines around the tags are dropped as the template writes them:
// leading newlines of reasoning and answer, trailing newlines before </think>, before <tool_call> and at the
// end of the output. A <tool_call> block whose content is not a JSON object with a "name" is passed on as
// answer text.
type Parser struct {
	state parserState
	buf   []byte // text received but not yet emitted
	fresh bool   // at the start of a reasoning or answer section: drop leading newlines
}

// NewParser returns a parser. inReasoning is true when the prompt already opened <think> (OpensThinking).
func NewParser(inReasoning bool) *Parser {
	p := &Parser{fresh: true}
	if inReasoning {
		p.state = stateReasoning
	}
	return p
}

// InReasoning reports whether the text fed so far leaves the model inside its reasoning.
func (p *Parser) InReasoning() bool { return p.state == stateReasoning }

// Feed parses more output text and appends the resulting events to dst.
func (p *Parser) Feed(dst []Event, text string) []Event {
	p.buf = append(p.buf, text...)
	return p.run(dst, false)
}

// Flush ends the output: whatever is held back is emitted (an unterminated tool call is parsed if it can be,
// else passed on as text) and trailing newlines are dropped.
func (p *Parser) Flush(dst []Event) []Event {
	dst = p.run(dst, true)
	switch p.state {
	case stateToolCall:
		dst = p.endToolCall(dst, p.buf, false)
	case stateStart:
		dst = p.emitText(dst, KindAnswer, string(p.buf), true)
	case stateReasoning:
		dst = p.emitText(dst, KindReasoning, string(p.buf), true)
	case stateAnswer:
		dst = p.emitText(dst, KindAnswer, string(p.buf), true)
	}
	p.buf = p.buf[:0]
	return dst
}

// run processes p.buf as far as it can be classified. At the end (final) partial tags are plain text.
func (p *Parser) run(dst []Event, final bool) []Event {
	for {
		switch p.state {
		case stateStart:
			rest := bytes.TrimLeft(p.buf, newlineChars)
			if bytes.HasPrefix(rest, []byte(tagThink)) {
				p.consume(len(p.buf) - len(rest) + len(tagThink))
				p.state, p.fresh = stateReasoning, true
				continue
			}
			if !final && bytes.HasPrefix([]byte(tagThink), rest) {
				return dst // empty or a partial "<think": wait
			}
			p.state, p.fresh = stateAnswer, true
			continue

		case stateReasoning:
			i, tag := findTag(p.buf, tagThinkEnd, tagThink)
			if i < 0 {
				return p.emitSafe(dst, KindReasoning, final, tagThinkEnd, tagThink)
			}
			if tag == tagThink {
				dst = p.dropStray(dst, KindReasoning, i, tag)
				continue
			}
			dst = p.emitText(dst, KindReasoning, string(p.buf[:i]), true)
			p.consume(i + len(tag))
			p.state, p.fresh = stateAnswer, true

		case stateAnswer:
			i, tag := findTag(p.buf, tagTool, tagThink, tagThinkEnd, tagToolEnd)
			if i < 0 {
				return p.emitSafe(dst, KindAnswer, final, tagTool, tagThink, tagThinkEnd, tagToolEnd)
			}
			if tag == tagThinkEnd || tag == tagToolEnd {
				dst = p.dropStray(dst, KindAnswer, i, tag)
				continue
			}
			dst = p.emitText(dst, KindAnswer, string(p.buf[:i]), true)
			p.consume(i + len(tag))
			if tag == tagTool {
				p.state = stateToolCall
			} else {
				p.state, p.fresh = stateReasoning, true
			}

		case stateToolCall:
			i := bytes.Index(p.buf, []byte(tagToolEnd))
			if i < 0 {
				// Keep collecting; the JSON is only parsed once the block is complete.
				return dst
			}
			dst = p.endToolCall(dst, p.buf[:i], true)
			p.consume(i + len(tagToolEnd))
			p.state = stateAnswer
		}
	}
}

// emitSafe emits the part of p.buf that cannot be the start of one of tags, holding back trailing newlines
// (which are dropped if a tag follows). With final set everything is emitted.
func (p *Parser) emitSafe(dst []Event, kind Kind, final bool, tags ...string) []Event {
	n := len(p.buf)
	if !final {
		n -= partialTagSuffix(p.buf, tags)
		n = len(bytes.TrimRight(p.buf[:n], newlineChars))
	}
	if n == 0 {
		if p.fresh {
			// Leading newlines are dropped anyway; do not let them pile up.
			k := len(p.buf) - len(bytes.TrimLeft(p.buf, newlineChars))
			p.consume(k)
		}
		return dst
	}
	dst = p.emitText(dst, kind, string(p.buf[:n]), final)
	p.consume(n)
	return dst
}

// emitText appends a text event, dropping leading newlines at the start of a section and, when trimEnd is
// set, trailing newlines.
func (p *Parser) emitText(dst []Event, kind Kind, s string, trimEnd bool) []Event {
	if p.fresh {
		s = strings.TrimLeft(s, newlineChars)
	}
	if trimEnd {
		s = strings.TrimRight(s, newlineChars)
	}
	if s == "" {
		return dst
	}
	p.fresh = false
	if n := len(dst); n > 0 && dst[n-1].Kind == kind && kind != KindToolCall {
		dst[n-1].Text += s
		return dst
	}
	return append(dst, Event{Kind: kind, Text: s})
}

// endToolCall turns the content of a <tool_call> block into an event: a tool call when it is a JSON object
// with a string "name", otherwise the block as answer text, so nothing the model wrote is lost.
func (p *Parser) endToolCall(dst []Event, body []byte, closed bool) []Event {
	if tc, ok := parseToolCall(body); ok {
		p.fresh = true // the template puts a newline between consecutive calls
		return append(dst, Event{Kind: KindToolCall, ToolCall: tc})
	}
	raw := tagTool + string(body)
	if closed {
		raw += tagToolEnd
	}
	return p.emitText(dst, KindAnswer, raw, false)
}

func parseToolCall(body []byte) (*ToolCall, bool) {
	var w struct {
		Name      *string         `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, false
	}
	if err := json.Unmarshal(body, &w); err != nil || w.Name == nil {
		return nil, false
	}
	args := append(json.RawMessage(nil), bytes.TrimSpace(w.Arguments)...)
	if len(args) == 0 || string(args) == "null" {
		args = json.RawMessage("{}")
	}
	return &ToolCall{Name: *w.Name, Arguments: args}, true
}

// dropStray removes a tag that has no meaning where it stands (a closing tag in the answer, <think> inside
// reasoning); the text on both sides, newlines included, stays as it is.
func (p *Parser) dropStray(dst []Event, kind Kind, i int, tag string) []Event {
	dst = p.emitText(dst, kind, string(p.buf[:i]), false)
	p.consume(i + len(tag))
	return dst
}

func (p *Parser) consume(n int) {
	p.buf = p.buf[:copy(p.buf, p.buf[n:])]
}

// findTag returns the position of the earliest of tags in b and which tag it is, or -1.
func findTag(b []byte, tags ...string) (int, string) {
	best, which := -1, ""
	for _, t := range tags {
		if i := bytes.Index(b, []byte(t)); i >= 0 && (best < 0 || i < best) {
			best, which = i, t
		}
	}
	return best, which
}

// partialTagSuffix returns the length of the longest suffix of b that is a proper prefix of one of tags.
func partialTagSuffix(b []byte, tags []string) int {
	longest := 0
	for _, t := range tags {
		for n := min(len(t)-1, len(b)); n > longest; n-- {
			if bytes.HasSuffix(b, []byte(t[:n])) {
				longest = n
				break
			}
		}
	}
	return longest
}
