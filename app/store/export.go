package store

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ExportMarkdown writes a conversation as a Markdown document: a title, then each message under a heading
// with its role, the reasoning of answers in a collapsible <details> block, attachments as a list, and the
// answer's numbers in a small line.
func ExportMarkdown(w io.Writer, c Conversation, msgs []Message) error {
	bw := bufio.NewWriter(w)
	title := c.Title
	if title == "" {
		title = "Conversation"
	}
	fmt.Fprintf(bw, "# %s\n\n", oneLine(title))
	fmt.Fprintf(bw, "_Exported from Qwen Studio on %s._\n", time.Now().Format("2006-01-02 15:04"))
	if c.SystemPrompt != "" {
		fmt.Fprintf(bw, "\n**System prompt:**\n\n%s\n", quote(c.SystemPrompt))
	}
	for _, m := range msgs {
		who := "You"
		switch m.Role {
		case RoleAssistant:
			who = "Assistant"
			if m.Model != "" {
				who += " (" + oneLine(m.Model) + ")"
			}
		case RoleSystem:
			who = "System"
		}
		fmt.Fprintf(bw, "\n## %s\n\n", who)
		for _, a := range m.Attachments {
			fmt.Fprintf(bw, "- %s: `%s` (sha256 %s)\n", a.Kind, a.Path, a.SHA256)
		}
		if len(m.Attachments) > 0 {
			bw.WriteString("\n")
		}
		if m.Reasoning != "" {
			summary := "Thinking"
			if m.Thinking > 0 {
				summary = fmt.Sprintf("Thought for %s", FormatDuration(m.Thinking))
			}
			fmt.Fprintf(bw, "<details>\n<summary>%s</summary>\n\n%s\n\n</details>\n\n", summary, strings.TrimSpace(m.Reasoning))
		}
		bw.WriteString(strings.TrimRight(m.Content, "\n"))
		bw.WriteString("\n")
		switch m.Status {
		case StatusStopped:
			bw.WriteString("\n_(stopped)_\n")
		case StatusInterrupted:
			bw.WriteString("\n_(interrupted: the app closed while this answer was being written)_\n")
		case StatusError:
			fmt.Fprintf(bw, "\n_(error: %s)_\n", oneLine(m.Error))
		}
		if st := m.Stats; st != nil && m.Role == RoleAssistant {
			fmt.Fprintf(bw, "\n<sub>%d tokens, %.1f tok/s</sub>\n", st.GeneratedTokens, st.DecodePerSecond)
		}
	}
	return bw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func quote(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// FormatDuration writes a duration the way the app shows thinking times: "0.4s", "12s", "2m 05s".
func FormatDuration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm %02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// HashFile returns the hex sha256 and size of a file, for attachments.
func HashFile(path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("store: hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
