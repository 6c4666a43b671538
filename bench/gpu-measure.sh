#!/usr/bin/env bash
# The GPU figures docs/gpu.md tracks ("Measured on an H200": goals, figures, what is open), in one
# run under one deadline, on a machine where `facerender` runs with the GPU natives:
#   bench/gpu-measure.sh --frames F --sources S [--out DIR] [--deadline SECONDS]
# FR_CLI names the command that runs Facerender (default: ./facerender). Steps, most wanted first,
# each cut to the time left: doctor with no settings (device, CUDA libraries, plan); a plain
# `render` of F/S (device chosen, whole-process wall, GPU busy share); the reference network's plan
# against its exported module in plain PyTorch, its busy share and its precisions; the warp's
# exported module in plain PyTorch; bench/gpu-check.sh. Each step's output lands in DIR;
# DIR/steps.tsv has each step's exit code and seconds.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/spark-job/target/gpu-measure"
frames="" sources="" deadline=480
while (($#)); do
  case "$1" in
    --frames) frames="$2"; shift 2 ;;
    --sources) sources="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --deadline) deadline="$2"; shift 2 ;;
    *) echo "gpu-measure: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$frames" && -n "$sources" ]] || { echo "gpu-measure: --frames and --sources are required" >&2; exit 2; }
read -r -a cli <<<"${FR_CLI:-$root/facerender}"
python=${PYTHON:-python3}
mkdir -p "$out"
t0=$(date +%s)
left() { echo $((deadline - ($(date +%s) - t0))); }
step() { # NAME CAP COMMAND...: COMMAND under min(CAP, time left); NAME's rc and seconds to steps.tsv
  local name="$1" cap="$2"; shift 2
  [[ " ${SKIP:-} " == *" $name "* ]] && return # SKIP: names of steps not to run
  local budget; budget=$(left)
  ((budget > cap)) && budget=$cap
  if ((budget < 20)); then printf '%s\tskipped\t0\n' "$name" >>"$out/steps.tsv"; return; fi
  local s sampler=""; s=$(date +%s)
  if [[ -n "${SMI:-}" ]]; then # the GPU's utilisation every 250 ms while the step runs
    nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -i 0 -lms 250 \
      >"$out/$name.smi" 2>/dev/null &
    sampler=$!
  fi
  timeout "$budget" "$@" >"$out/$name.out" 2>"$out/$name.err"
  local rc=$?
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null
  printf '%s\t%s\t%s\n' "$name" "$rc" "$(($(date +%s) - s))" | tee -a "$out/steps.tsv"
}
: >"$out/steps.tsv"
# 1. No settings: which device, the CUDA libraries, the warp's plan on the device auto chose.
step doctor-auto 120 "${cli[@]}" doctor --json
# 2. A plain render on no settings: the device auto picks, whole process, and how busy the GPU was.
SMI=1 step plain-render 150 "${cli[@]}" render --frames "$frames" --sources "$sources" \
  --out "$out/plain"
# 3. The reference network: Facerender's plan and speed against its exported module in PyTorch.
ref=(--model builtin:sadtalker-arch --window-radius 13)
step ref-doctor 120 "${cli[@]}" doctor --json --device cuda:0 "${ref[@]}"
step ref-export 60 "${cli[@]}" export-model builtin:sadtalker-arch --window-radius 13 --size 256 \
  --out "$out/ref.pt"
step ref-probe 90 "$python" "$root/bench/gpu-probe.py" --module "$out/ref.pt" --device cuda:0 \
  --max-batch 64 --iters 5
# 4. How busy the reference network keeps the GPU: 4 x 120 frames at level high, sampled.
step ref-input 30 "${cli[@]}" generate --out "$out/ref-input" --clips 4 --frames 120 --size 256
SMI=1 step ref-render 120 "${cli[@]}" render --frames "$out/ref-input/frames" \
  --sources "$out/ref-input/sources" --out "$out/ref-render" "${ref[@]}" --level high
# 5. Precisions: speed and worst-frame PSNR against fp32.
step ref-precisions 120 "${cli[@]}" benchmark --precisions fp32,tf32,bf16 --device cuda:0 \
  "${ref[@]}" --size 256 --batch-size 32 --rounds 3
# 6. The warp's ceiling in plain PyTorch, for the plan doctor made in step 1.
step warp-export 40 "${cli[@]}" export-model builtin:warp --size 256 --out "$out/warp.pt"
step warp-probe 60 "$python" "$root/bench/gpu-probe.py" --module "$out/warp.pt" --device cuda:0
# 7. The project's whole GPU check, when time is left.
step gpu-check 300 bash "$root/bench/gpu-check.sh" --out "$out/gc"
echo "gpu-measure: $(($(date +%s) - t0)) s, results in $out"
