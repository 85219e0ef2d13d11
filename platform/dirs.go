package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// AppName is the directory name the app uses under each OS's data, cache and config roots.
const AppName = "QwenStudio"

// appNameXDG is the lower-case name XDG platforms use by convention.
const appNameXDG = "qwenstudio"

// Dirs holds the app's per-user directories.
type Dirs struct {
	Data   string // conversations, settings that are data, the model-folder list
	Cache  string // anything that can be rebuilt: thumbnails, decoded frames
	Config string // settings files
}

// AppDirs returns the app's directories for the running OS and the current user's environment.
func AppDirs() (Dirs, error) {
	home, err := os.UserHomeDir()
	if err != nil && runtime.GOOS != "windows" {
		return Dirs{}, fmt.Errorf("platform: home directory: %w", err)
	}
	return DirsFor(runtime.GOOS, os.Getenv, home)
}

// DirsFor computes the app's directories for goos from an environment lookup and a home directory.
func DirsFor(goos string, getenv func(string) string, home string) (Dirs, error) {
	// XDG requires absolute paths; a relative value is ignored, as the spec says.
	xdg := func(key, def string) string {
		if v := getenv(key); v != "" && filepath.IsAbs(v) {
			return v
		}
		return filepath.Join(home, def)
	}
	switch goos {
	case "darwin", "ios":
		if home == "" {
			return Dirs{}, errors.New("platform: no home directory")
		}
		lib := filepath.Join(home, "Library")
		return Dirs{
			Data:   filepath.Join(lib, "Application Support", AppName),
			Cache:  filepath.Join(lib, "Caches", AppName),
			Config: filepath.Join(lib, "Application Support", AppName),
		}, nil
	case "windows":
		roaming := getenv("AppData")
		local := getenv("LocalAppData")
		if roaming == "" && home != "" {
			roaming = filepath.Join(home, "AppData", "Roaming")
		}
		if local == "" && home != "" {
			local = filepath.Join(home, "AppData", "Local")
		}
		if roaming == "" || local == "" {
			return Dirs{}, errors.New("platform: %AppData% and %LocalAppData% are not set")
		}
		return Dirs{
			Data:   filepath.Join(roaming, AppName),
			Cache:  filepath.Join(local, AppName, "Cache"),
			Config: filepath.Join(roaming, AppName),
		}, nil
	default: // Linux, the BSDs and other Unix: XDG base directories
		if home == "" {
			return Dirs{}, errors.New("platform: no home directory")
		}
		return Dirs{
			Data:   filepath.Join(xdg("XDG_DATA_HOME", filepath.Join(".local", "share")), appNameXDG),
			Cache:  filepath.Join(xdg("XDG_CACHE_HOME", ".cache"), appNameXDG),
			Config: filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), appNameXDG),
		}, nil
	}
}
