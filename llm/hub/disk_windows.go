//go:build windows

package hub

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// freeSpace returns the bytes the current user may still write on dir's volume.
func freeSpace(dir string) (uint64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return 0, fmt.Errorf("hub: free space of %s: %w", dir, err)
	}
	return avail, nil
}
