//go:build linux

package platform

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func readMemory() (Memory, error) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return Memory{}, fmt.Errorf("platform: %w", err)
	}
	return parseMeminfo(data)
}

// PeakRSS returns the peak resident set size of this process image in bytes: VmHWM from /proc/self/status,
// which starts afresh at exec (getrusage's ru_maxrss, the fallback, carries the parent's peak across
// fork and exec).
func PeakRSS() (uint64, error) {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		if v, ok := statusKB(b, "VmHWM:"); ok {
			return v, nil
		}
	}
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("platform: getrusage: %w", err)
	}
	return uint64(ru.Maxrss) * 1024, nil
}

// statusKB reads a "Key:   123 kB" line of /proc/self/status, in bytes.
func statusKB(status []byte, key string) (uint64, bool) {
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				if n, err := strconv.ParseUint(f[0], 10, 64); err == nil {
					return n * 1024, true
				}
			}
		}
	}
	return 0, false
}
