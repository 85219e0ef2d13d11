// Package platform answers the operating-system questions the rest of Qwen Studio asks: where the app keeps
// its data, cache and settings, how much memory the machine has and how much is free right now, and which
// CPU features the kernels may use.
//
// # Directories
//
// [AppDirs] follows each OS's convention: the XDG base directories on Linux and the BSDs ($XDG_DATA_HOME,
// $XDG_CACHE_HOME, $XDG_CONFIG_HOME with their ~/.local/share, ~/.cache, ~/.config defaults),
// ~/Library/Application Support and ~/Library/Caches on macOS, %AppData% and %LocalAppData% on Windows.
// Nothing is created; callers MkdirAll what they write to. [DirsFor] computes the same answer for any OS from
// an explicit environment, so the rules are tested on every OS.
//
// # Memory
//
// [ReadMemory] reports total physical memory and the memory available to a new process without swapping
// (Linux: MemAvailable from /proc/meminfo; macOS: free + inactive + purgeable + speculative pages from
// host_statistics64 via sysctl and vm_stat-equivalent counters; Windows: GlobalMemoryStatusEx).
// [PeakRSS] reports the process's own peak resident set size, used to check memory estimates against reality.
//
// # CPU
//
// [CPUInfo] lists the SIMD features that golang.org/x/sys/cpu detects (AVX2, AVX-512 and its VNNI, BF16
// subsets, FMA, F16C on amd64; ASIMD, dot product, FP16 on arm64) and the number of logical CPUs.
package platform
