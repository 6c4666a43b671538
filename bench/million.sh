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

/usr/bin/python3 - "$out" <<'PY'
import json, os, re, sys
out = sys.argv[1]

def run(name):
    with open(os.path.join(out, name, "run.json")) as f:
        return json.load(f)

def files(name):
    count, size = 0, 0
    for folder, _, names in os.walk(os.path.join(out, name)):
        for n in names:
            count += 1
            size += os.path.getsize(os.path.join(folder, n))
    return count, size

def heap_after_gc(scale):
    peak = 0
    with open(os.path.join(out, "gc-%s.txt" % scale)) as f:
        for after in re.findall(r"\d+M->(\d+)M\(", f.read()):
            peak = max(peak, int(after))
    return peak

def external_peak(scale):
    with open(os.path.join(out, "time-%s.txt" % scale)) as f:
        return int(f.read().split()[-1]) * 1024

rows = {}
for scale in ("small", "large"):
    r = run("out-" + scale)
    n, size = files("out-" + scale)
    t = r["timings"]
    rows[scale] = dict(
        status=r["status"], input=r["totals"]["input_frames"],
        rendered=r["totals"]["rendered_frames"], errors=r["totals"]["error_frames"],
        rss_mib=round(t["peak_rss_bytes"] / 2**20), time_rss_mib=round(external_peak(scale) / 2**20),
        heap_after_gc_mib=heap_after_gc(scale), files=n, mib=round(size / 2**20, 1), fps=round(t["job_frames_per_second"]),
        seconds_per_wave=r["waves"].get("seconds_per_wave_this_attempt"))
    print(scale, json.dumps(rows[scale]))
print("1M / 100k rows: peak RSS %.3f (run.json sampler), %.3f (time -f %%M); peak heap after GC %.3f" % (
    rows["large"]["rss_mib"] / rows["small"]["rss_mib"],
    rows["large"]["time_rss_mib"] / rows["small"]["time_rss_mib"],
    rows["large"]["heap_after_gc_mib"] / rows["small"]["heap_after_gc_mib"]))
if not os.path.exists(os.path.join(out, "out-killed", "run.json")):
    sys.exit(0)
k = run("out-killed")
w = k["waves"]
print("killed and resumed:", k["status"], k["totals"]["rendered_frames"], "rendered,",
      k["totals"]["error_frames"], "errors", json.dumps({key: w[key] for key in (
    "total", "committed_before_this_attempt", "frames_committed_before_this_attempt",
    "input_frames_this_attempt", "frames_rendered_this_attempt", "seconds_per_wave_this_attempt")}))
PY
