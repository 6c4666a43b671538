#!/usr/bin/env bash
# A run of a million input rows, 5% bad, against one of 100 000 (docs/performance.md, "A million
# rows"): driver peak RSS (local Spark: the driver JVM is also the executor), files written,
# frames/s and seconds per wave; then the million-row run killed (SIGKILL) after three committed
# waves and resumed. Small frames and raw output, so the run measures the job, not the model.
#   bench/million.sh [OUT_DIR] [CLIPS_FOR_1M]      (default: bench-out/million 2000)
# Both renders get the same heap (FACERENDER_DRIVER_MEMORY, default here 768m) and log their GCs:
# the largest heap left after a collection is what the JVM (driver and, in local mode, executor)
# still held, whatever the collector's sizing policy did to the RSS. KILL=0 skips the kill and
# resume; inputs already generated in OUT_DIR are reused.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-bench-out/million}"
clips="${2:-2000}"
frames=500
size=16
export FACERENDER_DRIVER_MEMORY="${FACERENDER_DRIVER_MEMORY:-768m}"
mkdir -p "$out"
rm -rf "$out"/out-* "$out"/*.log "$out"/time-*.txt
small_clips=$((clips / 10))
# The large run in ten waves, the small one in one wave of the same size.
wave_frames=$((clips * frames / 10))
for scale in small large; do
  n=$([[ $scale == small ]] && echo "$small_clips" || echo "$clips")
  if [[ ! -f "$out/in-$scale/shape" || "$(cat "$out/in-$scale/shape")" != "$n x $frames" ]]; then
    rm -rf "$out/in-$scale"
    "$root/facerender" generate --out "$out/in-$scale" --clips "$n" --frames "$frames" \
      --size "$size" --bad-fraction 0.05
    echo "$n x $frames" >"$out/in-$scale/shape"
  fi
done

render() { # INPUT OUT [more options]
  local input="$1" dest="$2"
  shift 2
  "$root/facerender" render --frames "$input/frames" --sources "$input/sources" --out "$dest" \
    --frames-format raw --max-error-rate 0.1 --wave-frames "$wave_frames" "$@"
}

for scale in small large; do
  # ./facerender execs the JVM, so time's maximum resident size is the driver's.
  FACERENDER_JAVA_OPTS="-Xlog:gc:file=$out/gc-$scale.txt" \
    /usr/bin/time -f "%M" -o "$out/time-$scale.txt" "$root/facerender" render --frames-format raw --max-error-rate 0.1 \
    --wave-frames "$wave_frames" \
    --frames "$out/in-$scale/frames" --sources "$out/in-$scale/sources" --out "$out/out-$scale" \
    >"$out/render-$scale.log" 2>&1
done

# Killed after three committed waves, then resumed.
if [[ "${KILL:-1}" == 1 ]]; then
setsid bash -c "$(declare -f render); root='$root' wave_frames='$wave_frames' render '$out/in-large' '$out/out-killed'" \
  >"$out/render-killed.log" 2>&1 &
leader=$!
while ! compgen -G "$out/out-killed/_runs/*/wave-00002.json" >/dev/null; do
  if ! kill -0 "$leader" 2>/dev/null; then
    echo "the run to kill ended before its third wave; see $out/render-killed.log" >&2
    exit 1
  fi
  sleep 0.5
done
kill -KILL -- "-$leader"
wait "$leader" 2>/dev/null || true
render "$out/in-large" "$out/out-killed" --mode resume >"$out/render-resumed.log" 2>&1
fi

/usr/bin/python3 "$root/bench/million_figures.py" "$out"
