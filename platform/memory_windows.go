//go:build windows

package platform

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// memoryStatusEx mirrors MEMORYSTATUSEX.
type memoryStatusEx struct {
	Length               uint32
	MemoryLoad           uint32
	TotalPhys            uint64
	AvailPhys            uint64
	TotalPageFile        uint64
	AvailPageFile        uint64
	TotalVirtual         uint64
	AvailVirtual         uint64
	AvailExtendedVirtual uint64
}

func readMemory() (Memory, error) {
	proc := windows.NewLazySystemDLL("kernel32.dll").NewProc("GlobalMemoryStatusEx")
	var st memoryStatusEx
	st.Length = uint32(unsafe.Sizeof(st))
	if r, _, err := proc.Call(uintptr(unsafe.Pointer(&st))); r == 0 {
		return Memory{}, fmt.Errorf("platform: GlobalMemoryStatusEx: %w", err)
	}
	return Memory{Total: st.TotalPhys, Available: st.AvailPhys}, nil
}

// processMemoryCounters mirrors PROCESS_MEMORY_COUNTERS.
type processMemoryCounters struct {
	CB                         uint32
	PageFaultCount             uint32
	PeakWorkingSetSize         uintptr
	WorkingSetSize             uintptr
	QuotaPeakPagedPoolUsage    uintptr
	QuotaPagedPoolUsage        uintptr
	QuotaPeakNonPagedPoolUsage uintptr
	QuotaNonPagedPoolUsage     uintptr
	PagefileUsage              uintptr
	PeakPagefileUsage          uintptr
}

// PeakRSS returns the peak working set of this process in bytes.
func PeakRSS() (uint64, error) {
	proc := windows.NewLazySystemDLL("psapi.dll").NewProc("GetProcessMemoryInfo")
	var c processMemoryCounters
	c.CB = uint32(unsafe.Sizeof(c))
	if r, _, err := proc.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&c)), uintptr(c.CB)); r == 0 {
		return 0, fmt.Errorf("platform: GetProcessMemoryInfo: %w", err)
	}
	return uint64(c.PeakWorkingSetSize), nil
}
