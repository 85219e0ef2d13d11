//go:build !linux && !darwin && !freebsd && !openbsd && !netbsd && !dragonfly && !windows

package hub

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// lockFile uses an exclusively created lock file where flock is not available. A crashed process leaves
// the file behind; the error then names it so the user can delete it.
func lockFile(ctx context.Context, path string, poll time.Duration, onWait func()) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("hub: lock: %w", err)
	}
	deadline := time.Now().Add(6 * time.Hour)
	for {
		f, err := os.OpenFile(path+".excl", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path + ".excl") }, nil
		}
		if !errors.Is(err, fs.ErrExist) || time.Now().After(deadline) {
			return nil, fmt.Errorf("hub: lock %s: %w", path+".excl", err)
		}
		if onWait != nil {
			onWait() // called once, when the lock is held by someone else
			onWait = nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}
