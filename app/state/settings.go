package state

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm/sample"
)

// Mode is what a message asks of the model.
type Mode string

const (
	ModeChat  Mode = "chat"  // conversation
	ModeOCR   Mode = "ocr"   // extract the text of attached images as Markdown
	ModeVideo Mode = "video" // answer questions about an attached video
)

// Modes lists the modes in the order the UI offers them.
var Modes = []Mode{ModeChat, ModeOCR, ModeVideo}

// Label is the mode's name in the UI.
func (m Mode) Label() string {
	switch m {
	case ModeOCR:
		return "OCR"
	case ModeVideo:
		return "Video QA"
	}
	return "Chat"
}

// Sampling is a user's sampling choice for one mode. When Custom is false the model's recommended settings
// for thinking or non-thinking mode apply.
type Sampling struct {
	Custom          bool    `json:"custom"`
	Temperature     float32 `json:"temperature"`
	TopP            float32 `json:"top_p"`
	TopK            int     `json:"top_k"`
	MinP            float32 `json:"min_p"`
	PresencePenalty float32 `json:"presence_penalty"`
}

// Override turns the choice into the engine's form.
func (s Sampling) Override() sample.Override {
	if !s.Custom {
		return sample.Override{}
	}
	return sample.Override{Temperature: &s.Temperature, TopP: &s.TopP, TopK: &s.TopK, MinP: &s.MinP,
		PresencePenalty: &s.PresencePenalty}
}

// Hub sources.
const (
	SourceHF         = "hf"
	SourceModelScope = "modelscope"
	SourceCustom     = "custom" // a Hugging Face-compatible mirror at Endpoint
)

// Themes.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Settings are the user's preferences, stored as one JSON value.
type Settings struct {
	Threads       int               `json:"threads"`        // CPU threads; 0: one per CPU
	ContextLength int               `json:"context_length"` // KV cache positions; 0: DefaultContext (capped by the model's)
	MaxTokens     int               `json:"max_tokens"`     // longest answer; 0: until the context is full
	Sampling      map[Mode]Sampling `json:"sampling"`
	Source        string            `json:"source"`   // SourceHF, SourceModelScope, SourceCustom
	Endpoint      string            `json:"endpoint"` // SourceCustom's URL
	ExtraFolders  []string          `json:"extra_folders"`
	Theme         string            `json:"theme"`
	ActiveModel   string            `json:"active_model"` // path of the model to load at start; "": the demo model
	Think         bool              `json:"think"`
	Budget        int               `json:"budget"` // thinking budget in tokens; 0: none
	Mode          Mode              `json:"mode"`
}

// DefaultContext is the KV cache size when the user has not chosen one: long enough for real chats, small
// enough that the cache of an 8B model fits beside its weights.
const DefaultContext = 8192

// DefaultSettings are the settings of a new install.
func DefaultSettings() Settings {
	return Settings{MaxTokens: 4096, Source: SourceHF, Theme: ThemeSystem, Think: true, Mode: ModeChat,
		Sampling: map[Mode]Sampling{}}
}

// Validate reports settings that cannot work, in words for the settings form.
func (s Settings) Validate() error {
	switch {
	case s.Threads < 0 || s.Threads > 1024:
		return fmt.Errorf("threads must be between 0 (automatic) and 1024, not %d", s.Threads)
	case s.ContextLength != 0 && (s.ContextLength < 256 || s.ContextLength > 1<<20):
		return fmt.Errorf("context length must be 0 (automatic) or 256 to 1048576, not %d", s.ContextLength)
	case s.MaxTokens < 0:
		return fmt.Errorf("the answer length cannot be negative")
	case s.Budget < 0:
		return fmt.Errorf("the thinking budget cannot be negative")
	}
	switch s.Source {
	case SourceHF, SourceModelScope:
	case SourceCustom:
		u, err := url.Parse(s.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("the custom hub endpoint %q is not an http(s) URL", s.Endpoint)
		}
	default:
		return fmt.Errorf("unknown hub source %q", s.Source)
	}
	switch s.Theme {
	case ThemeSystem, ThemeLight, ThemeDark:
	default:
		return fmt.Errorf("unknown theme %q", s.Theme)
	}
	for m, sm := range s.Sampling {
		if !sm.Custom {
			continue
		}
		p := sample.Defaults(true).Apply(sm.Override())
		if err := p.Validate(); err != nil {
			return fmt.Errorf("%s sampling: %w", m.Label(), err)
		}
	}
	for _, f := range s.ExtraFolders {
		if strings.TrimSpace(f) == "" {
			return fmt.Errorf("an extra model folder is empty")
		}
	}
	return nil
}

const settingsKey = "settings"

// LoadSettings reads the settings, filling what is missing with the defaults.
func LoadSettings(ctx context.Context, st *store.Store) (Settings, error) {
	s := DefaultSettings()
	if _, err := st.GetSetting(ctx, settingsKey, &s); err != nil {
		return DefaultSettings(), err
	}
	if s.Sampling == nil {
		s.Sampling = map[Mode]Sampling{}
	}
	if s.Mode == "" {
		s.Mode = ModeChat
	}
	return s, nil
}

// SaveSettings validates and stores the settings.
func SaveSettings(ctx context.Context, st *store.Store, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return st.SetSetting(ctx, settingsKey, s)
}
