package platform

import (
	"path/filepath"
	"runtime"
	"testing"
)

func TestDirsFor(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		goos string
		env  map[string]string
		home string
		want Dirs
	}{
		{"linux defaults", "linux", nil, "/home/u", Dirs{
			Data: "/home/u/.local/share/qwenstudio", Cache: "/home/u/.cache/qwenstudio", Config: "/home/u/.config/qwenstudio"}},
		{"linux xdg", "linux", map[string]string{"XDG_DATA_HOME": "/d", "XDG_CACHE_HOME": "/c", "XDG_CONFIG_HOME": "/k"}, "/home/u",
			Dirs{Data: "/d/qwenstudio", Cache: "/c/qwenstudio", Config: "/k/qwenstudio"}},
		{"linux relative xdg ignored", "linux", map[string]string{"XDG_CACHE_HOME": "rel"}, "/home/u", Dirs{
			Data: "/home/u/.local/share/qwenstudio", Cache: "/home/u/.cache/qwenstudio", Config: "/home/u/.config/qwenstudio"}},
		{"macos", "darwin", map[string]string{"XDG_CACHE_HOME": "/c"}, "/Users/u", Dirs{
			Data:   "/Users/u/Library/Application Support/QwenStudio",
			Cache:  "/Users/u/Library/Caches/QwenStudio",
			Config: "/Users/u/Library/Application Support/QwenStudio"}},
		{"windows", "windows", map[string]string{"AppData": "/R", "LocalAppData": "/L"}, "/U", Dirs{
			Data: filepath.Join("/R", "QwenStudio"), Cache: filepath.Join("/L", "QwenStudio", "Cache"), Config: filepath.Join("/R", "QwenStudio")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DirsFor(tc.goos, env(tc.env), tc.home)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if _, err := DirsFor("linux", env(nil), ""); err == nil {
		t.Error("linux without a home directory: want an error")
	}
	if _, err := DirsFor("windows", env(nil), ""); err == nil {
		t.Error("windows without AppData or a home: want an error")
	}
}

func TestParseMeminfo(t *testing.T) {
	m, err := parseMeminfo([]byte("MemTotal:       16303916 kB\nMemFree:          512000 kB\nMemAvailable:    8151958 kB\nBuffers: 1 kB\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Total != 16303916*1024 || m.Available != 8151958*1024 {
		t.Errorf("got %+v", m)
	}
	// Old kernels: no MemAvailable, fall back to free + buffers + cached.
	m, err = parseMeminfo([]byte("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Available != 310*1024 {
		t.Errorf("fallback available = %d, want %d", m.Available, 310*1024)
	}
	if _, err := parseMeminfo([]byte("garbage\n")); err == nil {
		t.Error("want an error without MemTotal")
	}
}

func TestReadMemory(t *testing.T) {
	m, err := ReadMemory()
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		if err == nil {
			t.Fatal("unsupported OS returned no error")
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if m.Total < 256<<20 || m.Available == 0 || m.Available > m.Total {
		t.Errorf("implausible memory: %+v", m)
	}
}

func TestPeakRSSSeesAllocation(t *testing.T) {
	before, err := PeakRSS()
	if err != nil {
		t.Skip(err)
	}
	const n = 96 << 20
	buf := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		buf[i] = 1 // touch every page so it is resident
	}
	after, err := PeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(buf)
	if after < before+n/2 {
		t.Errorf("peak RSS %d -> %d after touching %d bytes", before, after, n)
	}
}

func TestCPUInfo(t *testing.T) {
	c := CPUInfo()
	if c.Arch != runtime.GOARCH || c.Threads < 1 {
		t.Fatalf("got %+v", c)
	}
	has := map[string]bool{}
	for _, f := range c.Features {
		has[f] = true
	}
	if has["avx2"] != c.AVX2 || has["avx512_vnni"] != c.AVX512VNNI || has["neon"] != c.NEON {
		t.Errorf("feature list %v disagrees with the flags %+v", c.Features, c)
	}
	if runtime.GOARCH == "arm64" && !c.NEON {
		t.Error("arm64 without NEON")
	}
	t.Logf("%s, %d threads, %v", c.Arch, c.Threads, c.Features)
}
