package platform

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Memory is a snapshot of physical memory, in bytes.
type Memory struct {
	Total     uint64 // installed physical memory
	Available uint64 // what a new allocation can get without swapping: free plus reclaimable cache
}

// ReadMemory reports the machine's total and currently available physical memory.
func ReadMemory() (Memory, error) { return readMemory() }

// parseMeminfo reads MemTotal and MemAvailable from the text of /proc/meminfo. Kernels before 3.14 lack
// MemAvailable; for them MemFree + Buffers + Cached is the usual stand-in.
func parseMeminfo(data []byte) (Memory, error) {
	vals := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		if len(f) > 1 && f[1] == "kB" {
			n *= 1024
		}
		vals[key] = n
	}
	total, ok := vals["MemTotal"]
	if !ok || total == 0 {
		return Memory{}, fmt.Errorf("platform: /proc/meminfo: no MemTotal")
	}
	avail, ok := vals["MemAvailable"]
	if !ok {
		avail = vals["MemFree"] + vals["Buffers"] + vals["Cached"]
	}
	return Memory{Total: total, Available: min(avail, total)}, nil
}
