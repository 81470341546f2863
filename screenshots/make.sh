#!/usr/bin/env bash
# Regenerates every image in screenshots/ from the running program with VHS.
#   ../shared/tools/setup-screenshots.sh   # once per machine: VHS, ttyd, Chromium
#   bash screenshots/make.sh               # all tapes
#   bash screenshots/make.sh loop          # one tape
# The tapes run a freshly built keyhole from screenshots/bin (not committed);
# each practice server they use listens on loopback only.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PWD/bin:/usr/local/bin:$(go env GOPATH)/bin:$PATH" VHS_NO_SANDBOX=true
command -v vhs >/dev/null || { echo "vhs not found: run ../shared/tools/setup-screenshots.sh first"; exit 1; }
mkdir -p bin
(cd .. && go build -o screenshots/bin/keyhole .)
tapes=("$@")
[ ${#tapes[@]} -gt 0 ] || tapes=($(ls *.tape | sed 's/\.tape$//'))
for t in "${tapes[@]}"; do
  echo "== $t"
  # Each tape starts with no lessons done: progress kept by earlier runs
  # would show on screen.
  state=$(mktemp -d)
  XDG_STATE_HOME="$state" vhs "$t.tape"
  rm -rf "$state"
done
