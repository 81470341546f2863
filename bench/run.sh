#!/usr/bin/env bash
# Whole-program benchmarks for keyhole (issue 22: big bodies, first frame).
# Starts its own loopback servers, measures, and prints every figure with
# the peer it is compared with, measured in the same run.
#   bash bench/run.sh            # 30 runs of the quick measures
#   RUNS=100 BIGRUNS=5 bash bench/run.sh
# Needs: go, python3, curl. Uses resterm for comparison when it is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
BIGRUNS=${BIGRUNS:-3}
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT

go build -o "$out/keyhole" .
go build -o "$out/minimal" ./bench/minimal
go build -o "$out/floor" ./bench/floor
go build -tags frameonly -o "$out/frame-only" ./bench/floor
# keyhole's first frame at 120x40 on a 256-colour terminal, for bench/floor.
KEYHOLE_FRAME_FILE="$out/frame.txt" go test ./ui -run '^TestFirstFrame$' -count 1 > /dev/null
kh="$out/keyhole"

# The practice server for a small response.
"$kh" practice --addr 127.0.0.1:0 > "$out/practice.log" 2>&1 &
for _ in $(seq 100); do grep -q '^practice server on ' "$out/practice.log" && break; sleep 0.05; done
base=$(sed -n 's/^practice server on //p' "$out/practice.log" | head -1)
[ -n "$base" ] || { echo "practice server did not start"; cat "$out/practice.log"; exit 1; }

# A static server for big bodies: JSON of 48, 60 and 200 MB (objects of
# about 170 bytes), and 60 MB of NUL bytes.
python3 - "$out" <<'PY'
import json, sys
for name, size in (("b48.json", 48_000_000), ("big.json", 60_000_000), ("b200.json", 200_000_000)):
    with open(f"{sys.argv[1]}/{name}", "w") as f:
        f.write("[")
        i = n = 0
        while n < size:
            s = json.dumps({"id": i, "name": f"item-{i}", "tags": ["auth", "token", "x"*40], "active": i % 3 == 0, "score": i * 0.5, "owner": {"user": "alice", "realm": "practice"}})
            if i:
                f.write(","); n += 1
            f.write(s); n += len(s); i += 1
        f.write("]")
with open(f"{sys.argv[1]}/zero.bin", "wb") as f:
    f.write(bytes(60_000_000))
PY
(cd "$out" && exec python3 -m http.server --bind 127.0.0.1 0 > "$out/static.log" 2>&1) &
for _ in $(seq 100); do grep -q 'Serving HTTP' "$out/static.log" && break; sleep 0.05; done
sport=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out/static.log" | head -1)
static="http://127.0.0.1:$sport"

row() { printf '%-52s %22s %22s %9s  %s\n' "$@"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | awk '{print $3}'), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
row "measure" "keyhole" "peer" "ratio" "goal"

read -r fk fm fr < <(python3 bench/firstframe.py "$RUNS" GET -- "$kh" "$base/basic" -- "$out/minimal")
row "first frame (URL given), paired run by run" "$fk ms" "minimal $fm ms" "${fr}x" "<= 1.15x minimal Bubble Tea v2"
# The floor: bench/minimal drawing keyhole's own first frame, alone and
# with every package keyhole imports (bench/floor). Against minimal they are
# what the frame and the imports cost; keyhole against the floor is what
# keyhole adds.
read -r ff fm fr < <(python3 bench/firstframe.py "$RUNS" GET -- "$out/frame-only" "$out/frame.txt" -- "$out/minimal")
row "  floor: minimal drawing keyhole's frame" "$ff ms" "minimal $fm ms" "${fr}x" ""
read -r ff fm fr < <(python3 bench/firstframe.py "$RUNS" GET -- "$out/floor" "$out/frame.txt" -- "$out/minimal")
row "  floor: the same with keyhole's imports" "$ff ms" "minimal $fm ms" "${fr}x" ""
read -r fk ff fr < <(python3 bench/firstframe.py "$RUNS" GET -- "$kh" "$base/basic" -- "$out/floor" "$out/frame.txt")
row "  first frame (URL given) against the floor" "$fk ms" "floor $ff ms" "${fr}x" ""
read -r fk fm fr < <(python3 bench/firstframe.py "$RUNS" GET -- "$kh" -- "$out/minimal")
row "first frame (practice lesson, server in-process)" "$fk ms" "minimal $fm ms" "${fr}x" ""
if command -v resterm >/dev/null; then
  read -r fk fm fr < <(python3 bench/firstframe.py "$RUNS" GET -- "$kh" -- resterm)
  row "first frame vs resterm" "$fk ms" "resterm $fm ms" "${fr}x" ""
fi

read -r tc tk ratio < <(python3 bench/paired.py "$RUNS" -- curl -s -o /dev/null "$base/basic" -u alice:wonderland -- "$kh" send --quiet -u alice:wonderland --auth basic "$base/basic")
row "send --quiet, small response, paired" "$tk ms" "curl $tc ms" "${ratio}x" "<= 1.5x curl"
read -r tc tk ratio < <(python3 bench/paired.py "$BIGRUNS" -- curl -s "$static/big.json" -- "$kh" send "$static/big.json")
row "send printing a 60 MB JSON body, paired" "$tk ms" "curl $tc ms" "${ratio}x" "<= 1.5x curl"

kept=$((50 << 20))
for mode in --json --har; do
  args=("$mode")
  [ "$mode" = --har ] && args+=("$out/x.har")
  rss=$( { /usr/bin/time -f '%M' "$kh" send "${args[@]}" "$static/zero.bin" > /dev/null; } 2>&1 | tail -1)
  row "send $mode, 60 MB of NULs: peak RSS" "$((rss / 1024)) MiB" "kept body 50 MiB" "$(awk "BEGIN{printf \"%.2f\", $rss/1024/50}")x" "<= 2x the kept body"
done

for b in b48.json:1.0:120 b200.json:2.0:300; do
  IFS=: read -r f secs mib <<< "$b"
  read -r tk tc ratio peak < <(python3 bench/tuibody.py "$BIGRUNS" "$static/$f" -- "$kh")
  size=$(($(stat -c %s "$out/$f") / 1000000))
  row "TUI Enter to 200 shown, $size MB JSON" "$tk ms, $peak MiB" "curl $tc ms" "${ratio}x" "<= $secs s and <= $mib MiB"
done

echo
echo "Go benchmarks: masking (peer: encoding/json.Valid over the same bytes), Enter to shown by size"
echo "(no step at the 50 MiB kept-body limit), resize, page-down and keystrokes (<= 16 ms; peer: a frame"
echo "with a small body), a 48 MiB body scrubbed of the secrets sent (peak heap per body byte), the"
echo "challenge parser:"
go test ./session -run '^$' -bench 'RedactBody|JSONValidPeer' -benchmem -count 1 2>&1 | grep -E '^Benchmark' || true
go test ./ui -run '^$' -bench 'EnterToShown|ResizeSizes|PageDown200MB|KeystrokeWhileLoading|ScrollKeystroke60MB|View1Attempt|ViewBigBody|DocForEchoScrub' -benchtime 3x -benchmem -count 1 2>&1 | grep -E '^(Benchmark|FAIL)' || true
go test ./httpclient -run '^$' -bench 'ParseChallenge' -benchmem -count 1 2>&1 | grep -E '^(Benchmark|FAIL)' || true
