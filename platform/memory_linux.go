//go:build linux

package platform

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func readMemory() (Memory, error) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return Memory{}, fmt.Errorf("platform: %w", err)
	}
	return parseMeminfo(data)
}

// PeakRSS returns the peak resident set size of this process in bytes (getrusage ru_maxrss, which Linux
// reports in KiB).
func PeakRSS() (uint64, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("platform: getrusage: %w", err)
	}
	return uint64(ru.Maxrss) * 1024, nil
}
