#!/usr/bin/env bash
# Whole-program benchmarks for keyhole (issue: fast start, cheap sends, big bodies).
# Starts its own loopback servers, measures, prints a table of medians.
#   bash bench/run.sh            # 30 runs each
#   RUNS=100 bash bench/run.sh
# Needs: go, python3, curl. Uses resterm for comparison when it is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT

go build -o "$out/keyhole" .
kh="$out/keyhole"

# A loopback server: the practice server for a small response.
"$kh" practice --addr 127.0.0.1:0 > "$out/practice.log" 2>&1 &
for _ in $(seq 100); do grep -q '^practice server on ' "$out/practice.log" && break; sleep 0.05; done
base=$(sed -n 's/^practice server on //p' "$out/practice.log" | head -1)
[ -n "$base" ] || { echo "practice server did not start"; cat "$out/practice.log"; exit 1; }

# A static server for big bodies: 60 MB of JSON, about 350,000 objects.
python3 - "$out/big.json" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write("[")
    for i in range(350000):
        if i: f.write(",")
        f.write(json.dumps({"id": i, "name": f"item-{i}", "tags": ["auth", "token", "x"*40], "active": i % 3 == 0, "score": i * 0.5, "owner": {"user": "alice", "realm": "practice"}}))
    f.write("]")
PY
(cd "$out" && exec python3 -m http.server --bind 127.0.0.1 0 > "$out/static.log" 2>&1) &
for _ in $(seq 100); do grep -q 'Serving HTTP' "$out/static.log" && break; sleep 0.05; done
sport=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out/static.log" | head -1)
bigurl="http://127.0.0.1:$sport/big.json"

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | awk '{print $3}'), $(date -u +%Y-%m-%d)"
echo
printf '%-58s %12s %s\n' "measure" "median" "goal"

ff=$(python3 bench/firstframe.py "$RUNS" "GET" -- "$kh" | median)
printf '%-58s %9s ms %s\n' "1. first frame of keyhole (TUI, practice server)" "$ff" "<= 40 ms"
if command -v resterm >/dev/null; then
  rf=$(python3 bench/firstframe.py "$RUNS" "GET" -- resterm | median)
  printf '%-58s %9s ms %s\n' "   first frame of resterm (same run)" "$rf" "keyhole <= half"
fi

read -r tc tk ratio < <(python3 bench/paired.py "$RUNS" -- curl -s -o /dev/null "$base/basic" -u alice:wonderland -- "$kh" send --quiet -u alice:wonderland --auth basic "$base/basic")
printf '%-58s %9s ms\n' "2. curl -s URL (small loopback response)" "$tc"
printf '%-58s %9s ms %s\n' "   keyhole send --quiet URL" "$tk" ""
printf '%-58s %10sx %s\n' "   ratio keyhole/curl, paired run by run" "$ratio" "<= 1.5x"

rss=$( { /usr/bin/time -f '%M' "$kh" send --quiet "$bigurl" > /dev/null; } 2>&1 | tail -1)
size=$(stat -c %s "$out/big.json")
printf '%-58s %9s MB %s\n' "3. keyhole send --quiet, 60 MB JSON: peak RSS" "$((rss/1024))" "<= 3x body ($((size*3/1048576)) MB)"

echo
echo "Go benchmarks (View with a big body and 1,000 attempts; the challenge parser):"
go test ./ui ./httpclient -run '^$' -bench 'View|Scroll|ParseChallenge' -benchmem -count 1 2>&1 | grep -E '^(Benchmark|ok|FAIL)' || true
