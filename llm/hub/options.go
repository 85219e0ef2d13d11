package hub

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// Environment variables the hub reads when Options leave a setting empty.
const (
	EnvSource             = "QWEN_STUDIO_SOURCE"     // "hf" (default) or "modelscope"
	EnvModelDirs          = "QWEN_STUDIO_MODEL_DIRS" // extra GGUF folders, separated like PATH
	EnvHFEndpoint         = "HF_ENDPOINT"
	EnvHFToken            = "HF_TOKEN"
	EnvModelScopeEndpoint = "MODELSCOPE_ENDPOINT"
	EnvModelScopeToken    = "MODELSCOPE_API_TOKEN"
)

// Options say where models are looked for and fetched from. The zero value follows the environment.
type Options struct {
	Catalog  *Catalog     // nil: the embedded catalog
	CacheDir string       // "": DefaultCacheDir() (HF_HUB_CACHE, HF_HOME, ~/.cache/huggingface/hub)
	Source   string       // SourceHF or SourceModelScope; "": $QWEN_STUDIO_SOURCE, else SourceHF
	Endpoint string       // hub URL; "": $HF_ENDPOINT or $MODELSCOPE_ENDPOINT, else the public hub
	Token    string       // "": $HF_TOKEN (or $HUGGING_FACE_HUB_TOKEN) for HF, $MODELSCOPE_API_TOKEN for ModelScope
	Client   *http.Client // nil: http.DefaultClient
	Folders  []string     // extra folders of GGUF files; nil: $QWEN_STUDIO_MODEL_DIRS
	Home     string       // "": the user's home, where LM Studio's and llama.cpp's folders are looked for

	// Download knobs and the progress callback for Pull. Client and Cache are filled in from above.
	Download Downloader
}

func (o *Options) catalog() (*Catalog, error) {
	if o.Catalog != nil {
		return o.Catalog, nil
	}
	return LoadCatalog()
}

func (o *Options) cache() *Cache {
	if o.CacheDir != "" {
		return &Cache{Dir: o.CacheDir}
	}
	return &Cache{Dir: DefaultCacheDir()}
}

func (o *Options) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return http.DefaultClient
}

func (o *Options) sourceName(ref Ref) (string, error) {
	s := ref.Source
	if s == "" {
		s = o.Source
	}
	if s == "" {
		s = os.Getenv(EnvSource)
	}
	switch strings.ToLower(s) {
	case "", "hf", "huggingface", "hugging face":
		return SourceHF, nil
	case "ms", "modelscope":
		return SourceModelScope, nil
	}
	return "", fmt.Errorf("hub: unknown source %q (want hf or modelscope)", s)
}

// source builds the Source for name with the configured endpoint and token.
func (o *Options) source(name string) Source {
	ep, tok := o.Endpoint, o.Token
	switch name {
	case SourceModelScope:
		if ep == "" {
			ep = os.Getenv(EnvModelScopeEndpoint)
		}
		if ep == "" {
			ep = DefaultModelScopeEndpoint
		}
		if tok == "" {
			tok = os.Getenv(EnvModelScopeToken)
		}
		return &ModelScope{Endpoint: ep, Token: tok, Client: o.client()}
	default:
		if ep == "" {
			ep = os.Getenv(EnvHFEndpoint)
		}
		if ep == "" {
			ep = DefaultHFEndpoint
		}
		if tok == "" {
			tok = os.Getenv(EnvHFToken)
		}
		if tok == "" {
			tok = os.Getenv("HUGGING_FACE_HUB_TOKEN")
		}
		return &HF{Endpoint: ep, Token: tok, Client: o.client()}
	}
}

func (o *Options) folders() []string {
	if o.Folders != nil {
		return o.Folders
	}
	var out []string
	for _, p := range strings.Split(os.Getenv(EnvModelDirs), string(os.PathListSeparator)) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (o *Options) home() string {
	if o.Home != "" {
		return o.Home
	}
	h, _ := os.UserHomeDir()
	return h
}
