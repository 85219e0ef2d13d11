package video

import (
	"context"
	"log/slog"
	"strings"

	"github.com/asticode/go-astiav"
)

// LogTo sends FFmpeg's own messages (warnings and errors, e.g. "error while decoding MB") to l, at
// slog.LevelDebug for warnings and slog.LevelWarn for errors; nil silences them. By default FFmpeg
// prints them on stderr. FFmpeg's log is process-wide, so this is meant to be called once, by main.
func LogTo(l *slog.Logger) {
	if l == nil {
		astiav.SetLogLevel(astiav.LogLevelQuiet)
		astiav.ResetLogCallback()
		return
	}
	astiav.SetLogLevel(astiav.LogLevelWarning)
	astiav.SetLogCallback(func(c astiav.Classer, lvl astiav.LogLevel, _, msg string) {
		level := slog.LevelDebug
		if lvl <= astiav.LogLevelError {
			level = slog.LevelWarn
		}
		from := "ffmpeg"
		if c != nil {
			if cl := c.Class(); cl != nil {
				from = cl.ItemName()
			}
		}
		l.Log(context.Background(), level, strings.TrimSpace(msg), "from", from)
	})
}
