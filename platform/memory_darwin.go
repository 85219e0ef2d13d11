//go:build darwin

package platform

import (
	"fmt"

	"golang.org/x/sys/unix"
)

func readMemory() (Memory, error) {
	total, err := unix.SysctlUint64("hw.memsize")
	if err != nil {
		return Memory{}, fmt.Errorf("platform: sysctl hw.memsize: %w", err)
	}
	page, err := unix.SysctlUint32("vm.pagesize")
	if err != nil {
		page = uint32(unix.Getpagesize())
	}
	// Free pages plus the ones macOS hands back at once under pressure: speculative read-ahead, purgeable
	// buffers and file-backed (external) pageable memory, which is roughly what Activity Monitor counts as
	// neither "app memory" nor "wired".
	var pages uint64
	for _, name := range []string{"vm.page_free_count", "vm.page_speculative_count", "vm.page_purgeable_count",
		"vm.page_pageable_external_count"} {
		if n, err := unix.SysctlUint32(name); err == nil {
			pages += uint64(n)
		}
	}
	if pages == 0 {
		return Memory{}, fmt.Errorf("platform: sysctl vm.page_*_count: no page counts")
	}
	return Memory{Total: total, Available: min(pages*uint64(page), total)}, nil
}

// PeakRSS returns the peak resident set size of this process in bytes (getrusage ru_maxrss, which macOS
// reports in bytes).
func PeakRSS() (uint64, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("platform: getrusage: %w", err)
	}
	return uint64(ru.Maxrss), nil
}
