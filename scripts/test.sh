#!/usr/bin/env bash
# Runs every check CI runs: formatting, go vet, and the whole test suite (golden parity tests included).
# Run scripts/setup.sh first on a fresh machine (the README's test command does both).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt: these files need formatting:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -timeout 20m "$@" ./...
