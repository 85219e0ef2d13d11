//go:build !linux && !darwin && !windows

package platform

import (
	"errors"
	"fmt"
	"runtime"
)

// errNoMemoryInfo reports an OS this package cannot query; callers treat memory as unknown.
var errNoMemoryInfo = errors.New("memory information is not implemented on this OS")

func readMemory() (Memory, error) {
	return Memory{}, fmt.Errorf("platform: %s: %w", runtime.GOOS, errNoMemoryInfo)
}

// PeakRSS is not implemented on this OS.
func PeakRSS() (uint64, error) {
	return 0, fmt.Errorf("platform: %s: %w", runtime.GOOS, errNoMemoryInfo)
}
