package assets

import _ "embed"

// IconPNG is Qwen Studio's app icon, 512×512, drawn by assets/icongen.
//
//go:generate go run ./icongen -o icon.png
//go:embed icon.png
var IconPNG []byte
