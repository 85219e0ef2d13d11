#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Ubuntu machine lacks to build and test Qwen Studio.
# Idempotent: packages already installed are skipped, and apt is not touched when nothing is missing.
set -euo pipefail

pkgs=(
  # Go toolchain needs a C compiler for cgo (Fyne's GL bindings, go-astiav).
  gcc pkg-config
  # Fyne: OpenGL and X11 headers.
  libgl1-mesa-dev xorg-dev libxkbcommon-dev
  # FFmpeg 5.1 development libraries for go-astiav.
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev libavdevice-dev libswresample-dev
  # A font that renders Chinese, Japanese and Korean (Qwen answers in them); the app loads it when present.
  fonts-wqy-microhei
  # Tests: a virtual X server, ImageMagick's `import` for the app's screenshot test, and the ffmpeg CLI
  # that makes test videos.
  xvfb xauth imagemagick ffmpeg
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    echo "setup: Go 1.26 is required (https://go.dev/dl/); put it on PATH and run again" >&2
    exit 1
  fi
fi
go mod download
