#!/usr/bin/env bash
# Facerender against SadTalker's own face-render loop on the same frames, whole process, same
# machine: prints both times and the ratio (SadTalker's seconds / Facerender's).
#   bench/sadtalker-speed.sh [--sadtalker DIR] [--clips N] [--frames M] [--full] [--out DIR]
#                            [--device cpu|cuda] [-- RENDER_FLAGS...]
# Writes SadTalker fixtures (seeded random weights; --full: the stock 256 px network, else a
# reduced one) and exports them with tools/sadtalker/export.py, untimed. Then, timed:
#   SadTalker: bench/sadtalker_loop.py (make_animation, its default batch of 2, PNG frames);
#   Facerender: ./facerender import sadtalker + ./facerender render, as docs/sadtalker.md says.
# Needs a Python with torch, numpy, scipy, yaml and PIL ($PYTHON, default /usr/bin/python3) and the
# built project (./facerender builds it once). SADTALKER_THREADS sets the baseline's torch threads
# (default: the cores, as the issue's baseline ran; Debian's torch alone starts with one here,
# which is faster for the reduced network and slower for the stock one). The last line is the ratio.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sadtalker="$root/../shared/sadtalker"
clips=1
frames=8
full=0
device=cpu
out="$root/spark-job/target/sadtalker-speed"
python="${PYTHON:-/usr/bin/python3}"
while (($#)); do
  case "$1" in
    --sadtalker) sadtalker="$2"; shift 2 ;;
    --clips) clips="$2"; shift 2 ;;
    --frames) frames="$2"; shift 2 ;;
    --full) full=1; shift ;;
    --device) device="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "sadtalker-speed: unknown argument $1" >&2; exit 2 ;;
  esac
done
render_flags=("$@")
rm -rf "$out" && mkdir -p "$out"
cd "$root"

reduced=(--reduced)
config=(--config "$out/fixtures/facerender_reduced.yaml")
if ((full)); then
  reduced=()
  config=()
fi
echo "sadtalker-speed: fixtures and export (untimed)..." >&2
"$python" tools/sadtalker/fixtures.py --sadtalker "$sadtalker" --out "$out/fixtures" \
  "${reduced[@]}" --clips "$clips" --frames "$frames" >"$out/fixtures.log" 2>&1
"$python" tools/sadtalker/export.py --sadtalker "$sadtalker" --device "$device" \
  --checkpoint "$out/fixtures/checkpoints/SadTalker_V0.0.2_256.safetensors" \
  "${config[@]}" --check-frames 2 --out "$out/sadtalker.pt" >"$out/export.log" 2>&1
# Build (or check) Facerender before timing it: ./facerender builds when sources are newer, and
# records its class-data archive after a build of its own; one built by Maven has none yet.
./facerender --version >/dev/null
./facerender cds --if-stale 2>"$out/cds.log"

now() { date +%s.%N; }
echo "sadtalker-speed: SadTalker's make_animation loop..." >&2
t0=$(now)
"$python" bench/sadtalker_loop.py --sadtalker "$sadtalker" --fixtures "$out/fixtures" \
  --out "$out/sadtalker-frames" --device "$device" --threads "${SADTALKER_THREADS:-0}" \
  >"$out/sadtalker.log" 2>&1
t1=$(now)
echo "sadtalker-speed: Facerender import + render..." >&2
./facerender import sadtalker --manifest "$out/fixtures/manifest.csv" --out "$out/input" \
  >"$out/facerender.log" 2>&1
./facerender render --frames "$out/input/frames" --sources "$out/input/sources" \
  --model "$out/sadtalker.pt" --window-radius 13 --out "$out/run" "${render_flags[@]}" \
  >>"$out/facerender.log" 2>&1
t2=$(now)
awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v c="$clips" -v m="$frames" \
  -v n="$( ((full)) && echo full || echo reduced)" 'BEGIN {
    s = t1 - t0
    f = t2 - t1
    printf "%d clips x %d frames, %s network\n", c, m, n
    printf "SadTalker make_animation loop: %.1f s\n", s
    printf "Facerender import + render:    %.1f s\n", f
    printf "ratio (SadTalker / Facerender): %.2f\n", s / f
  }'
