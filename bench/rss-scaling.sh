#!/usr/bin/env bash
# Peak resident memory of a render against one with 10x the frames per partition, each in a fresh
# JVM (local Spark: the driver is the executor). Prints both peaks and their ratio.
#   bench/rss-scaling.sh [OUT_DIR] [FRAMES_PER_CLIP]      (default: bench-out/rss 60)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-bench-out/rss}"
small="${2:-60}"
large=$((small * 10))
clips=4 # 4 clips -> 4 partitions: one clip, and its frames, per partition
rm -rf "$out"
for frames in "$small" "$large"; do
  "$root/facerender" generate --out "$out/input-$frames" --clips "$clips" --frames "$frames" >/dev/null
  "$root/facerender" render --frames "$out/input-$frames/frames" --sources "$out/input-$frames/sources" \
    --out "$out/output-$frames" >/dev/null
done
peak() {
  grep -o '"peak_rss_bytes" : [0-9]*' "$out/output-$1/run.json" | grep -o '[0-9]*$'
}
small_peak=$(peak "$small")
large_peak=$(peak "$large")
awk -v s="$small_peak" -v l="$large_peak" -v fs="$small" -v fl="$large" 'BEGIN {
  printf "peak RSS: %d frames/partition %.0f MiB, %d frames/partition %.0f MiB, ratio %.3f\n",
    fs, s / 1048576, fl, l / 1048576, l / s }'
