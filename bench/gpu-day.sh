#!/usr/bin/env bash
# The GPU day in one command: every figure docs/gpu.md still has open, measured on one GPU in at
# most --budget-seconds (480), each step guarded and timed, results in DIR/gpu-day.json and
# DIR/gpu-day.md.
#   bench/gpu-day.sh [--out DIR] [--budget-seconds N]        on cuda:0 (a machine whose nvidia-smi
#                                                             lists a GPU; the -gpu natives' build)
#   bench/gpu-day.sh --simulate-gpu 16GiB [--out DIR]        every step rehearsed on the CPU
# Builds nothing: it runs the classes `mvn package` (or `mvn -Pgpu package`) left in target/, with
# the launcher's environment and JVM flags (./facerender's launcher_environment and java_flags:
# PYTORCH_CUDA_ALLOC_CONF, GLIBC_TUNABLES, pip's CUDA libraries on LD_LIBRARY_PATH).
# Steps, in order:
#   a doctor      doctor --json: device, CUDA libraries, plan
#   - datasets    generate: the main dataset (Parquet, and JSON Lines from the same seed for the
#                 PyTorch script), the reference network's, the forced OOM's
#   b render      a plain `render` of the main dataset on the device (cuda:0), sampling nvidia-smi
#   c plain       the same dataset through bench/plain_pytorch.py (the warp from export-model,
#                 batch 64, PNG out): whole process against b's (ratio = plain s / facerender s)
#   d reference   the reference network (builtin:sadtalker-arch, window 13) at level high: OOMs, GPU
#                 busy share
#   e precisions  benchmark --precisions fp32,tf32,bf16,fp16: frames/s and worst-frame PSNR
#   f probe       gpu-probe.py on the exported reference network at d's precision and batch, model
#                 only and model + uint8 + copy to host, against a one-task render at that batch
#   g forced_oom  a batch that cannot fit: split and rendered whole
#   h extreme     doctor at level extreme on the reference network, calibrating to the memory
#                 limit: the JVM must exit on its own (no SIGSEGV, no exit 134/139)
# A step that fails, crashes or runs out of time is recorded (exit code, the tail of its log) and
# the next one runs. With --simulate-gpu the datasets are small, the warp stands in for the
# reference network (its forward pass runs on the CPU at ~0.2 frames/s), and checks that need real
# hardware say "skipped: simulated". PyTorch comes from $PYTHON, python3 or /usr/bin/python3 (the
# first that imports torch, with CUDA on a GPU); without one, c and f are skipped, saying why.
# Exit: 0 when no step failed (skips allowed), 1 otherwise, 2 for a usage error.
# The steps and helpers below run through run_step and trap (indirectly), which shellcheck cannot see.
# shellcheck disable=SC2317
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/spark-job/target/gpu-day"
simulate=""
budget=480
usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --simulate-gpu) simulate="${2:?--simulate-gpu needs a size, e.g. 16GiB}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --budget-seconds) budget="${2:?--budget-seconds needs a number}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gpu-day: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$budget" =~ ^[0-9]+$ ]] || { echo "gpu-day: --budget-seconds takes whole seconds" >&2; exit 2; }

# The launcher's functions (python_candidates, gpu_count, launcher_environment, java_flags), not its
# main; it sets -e, which this script must not run under: a failing step is recorded, not fatal.
# shellcheck source-path=SCRIPTDIR source=../facerender
source "$root/facerender"
set +e
set -uo pipefail

natives=cpu
if [[ -z "$simulate" ]]; then
  natives=gpu
  if (($(gpu_count) == 0)); then
    echo "gpu-day: nvidia-smi lists no GPU here; rehearse with --simulate-gpu 16GiB" >&2
    exit 2
  fi
fi
# `mvn -Pgpu package` writes launcher-gpu.classpath (the GPU natives), `mvn package` launcher.classpath.
classpath_file="$root/spark-job/target/launcher.classpath"
if [[ "$natives" == gpu && -f "$root/spark-job/target/launcher-gpu.classpath" ]]; then
  classpath_file="$root/spark-job/target/launcher-gpu.classpath"
fi
[[ -f "$classpath_file" ]] || { echo "gpu-day: run mvn -B -DskipTests package first" >&2; exit 2; }
# Only a folder this script wrote (or an empty or new one) is emptied.
if [[ -d "$out" && -n "$(ls -A "$out" 2>/dev/null)" && ! -f "$out/steps.tsv" ]]; then
  echo "gpu-day: $out holds other files; name a new or empty folder with --out" >&2
  exit 2
fi
rm -rf "$out" && mkdir -p "$out/data" || exit 2
out="$(cd "$out" && pwd)"

launcher_environment "$natives"
java_flags "$natives"
# A JVM that dies leaves its fatal-error log here, where the report looks for crashes.
fr=("${JAVA_HOME:+$JAVA_HOME/bin/}java" "${java_options[@]}" -XX:ErrorFile="$out/hs_err_pid%p.log"
  -cp "$root/spark-job/target/classes:$root/udf/target/classes:$(cat "$classpath_file")"
  dev.facerender.cli.Main)

# What runs where. The simulator runs every model on the CPU: the reference network there would
# take minutes per calibration, so the warp stands in for it, on smaller datasets.
if [[ -n "$simulate" ]]; then
  device_args=(--simulate-gpu "$simulate")
  doctor_args=(--simulate-gpu "$simulate")
  ref_model=(--model builtin:warp)
  ref_export=(builtin:warp --size 128)
  python_device=cpu
  main_data=(--clips 4 --frames 32 --size 128)
  ref_data=(--clips 2 --frames 48 --size 128)
  precisions_args=(--size 128 --batch-size 8 --rounds 2)
else
  device_args=(--device cuda:0)
  doctor_args=()
  ref_model=(--model builtin:sadtalker-arch --window-radius 13)
  ref_export=(builtin:sadtalker-arch --window-radius 13 --size 256)
  python_device=cuda:0
  # The GPU day kit's dataset (16 x 250 frames at 256 px), on which PyTorch's script took 7.3-9.9 s.
  main_data=(--clips 16 --frames 250 --size 256)
  ref_data=(--clips 4 --frames 120 --size 256)
  precisions_args=(--size 256 --batch-size 32 --rounds 3)
fi
main_size="${main_data[5]}"
precision=tf32 # d's and f's arithmetic: the render's default, which the probe must match

t0=$(date +%s)
left() { echo $((budget - ($(date +%s) - t0))); }
now() { date +%s.%N; }
# COMMAND... under what is left of the current step's time (step_deadline).
t() {
  local rest=$((step_deadline - $(date +%s)))
  if ((rest < 1)); then
    echo "gpu-day: the step's time is spent before: $*" >&2
    return 124
  fi
  timeout -k 10 "$rest" "$@"
}
# Marks the running step skipped, saying why, and ends it.
skip() {
  echo "$*" >"$out/$step_name.skip"
  echo "gpu-day: $step_name skipped: $*" >&2
  exit 0
}
# nvidia-smi's utilisation and memory every 250 ms into OUT/NAME.smi, while a step renders.
sampler=""
sampler_start() { # NAME
  sampler=""
  if [[ -z "$simulate" ]] && command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader,nounits \
      -i 0 -lms 250 >"$out/$1.smi" 2>/dev/null &
    sampler=$!
  fi
}
sampler_stop() {
  if [[ -n "$sampler" ]]; then
    kill "$sampler" 2>/dev/null
    wait "$sampler" 2>/dev/null
  fi
  sampler=""
}
# One value from a JSON file (a Python expression over `d`), or nothing.
json_value() { # FILE EXPRESSION
  [[ -n "$report_python" ]] || return 1
  "$report_python" -c 'import json, sys
try:
    d = json.load(open(sys.argv[1]))
    v = eval(sys.argv[2])
except Exception:
    sys.exit(1)
print(v)' "$@" 2>/dev/null
}

# A Python for the report (any python3) and one with PyTorch for c and f.
report_python=""
for candidate in python3 /usr/bin/python3 "${PYTHON:-}"; do
  if [[ -n "$candidate" ]] && "$candidate" -c 'import json' >/dev/null 2>&1; then
    report_python="$(command -v "$candidate")"
    break
  fi
done
torch_python=""
: >"$out/python.tsv"
while read -r candidate; do
  if [[ -n "$simulate" ]]; then
    probe='import torch; print(torch.__version__)'
  else
    probe='import sys, torch; print(torch.__version__); sys.exit(0 if torch.cuda.is_available() else 3)'
  fi
  version="$(timeout 120 "$candidate" -c "$probe" 2>/dev/null)"
  case $? in
    0) printf '%s\ttorch %s\n' "$candidate" "$version" >>"$out/python.tsv"; torch_python="$candidate"; break ;;
    3) printf '%s\ttorch %s without CUDA\n' "$candidate" "$version" >>"$out/python.tsv" ;;
    *) printf '%s\tno torch\n' "$candidate" >>"$out/python.tsv" ;;
  esac
done < <(python_candidates)
no_torch_reason() {
  local tried
  tried="$(awk -F'\t' '{printf "%s%s (%s)", (NR > 1 ? ", " : ""), $1, $2}' "$out/python.tsv")"
  local need="PyTorch"
  [[ -z "$simulate" ]] && need="PyTorch with CUDA"
  echo "no Python with $need (tried: ${tried:-none found})"
}

{
  printf 'simulate\t%s\n' "$simulate"
  printf 'budget_seconds\t%s\n' "$budget"
  printf 'natives\t%s\n' "$natives"
  printf 'classpath_file\t%s\n' "$classpath_file"
  printf 'torch_python\t%s\n' "$torch_python"
  printf 'precision\t%s\n' "$precision"
  printf 'reference_model\t%s\n' "${ref_model[*]}"
  printf 'started\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'host\t%s\n' "$(hostname 2>/dev/null)"
  printf 'cpus\t%s\n' "$(nproc 2>/dev/null)"
  printf 'git\t%s%s\n' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null)" \
    "$([[ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]] && echo ' (uncommitted changes)')"
  printf 'LD_LIBRARY_PATH\t%s\n' "${LD_LIBRARY_PATH:-}"
  printf 'PYTORCH_CUDA_ALLOC_CONF\t%s\n' "${PYTORCH_CUDA_ALLOC_CONF:-}"
  printf 'GLIBC_TUNABLES\t%s\n' "${GLIBC_TUNABLES:-}"
  if [[ -z "$simulate" ]]; then
    printf 'gpu\t%s\n' "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader -i 0 2>/dev/null)"
  fi
} >"$out/meta.tsv"

# gpu-day.json and gpu-day.md from what the steps left; after every step, and at exit.
write_report() {
  if [[ -n "$report_python" ]]; then
    "$report_python" "$root/bench/gpu_day_report.py" "$out" "$(($(date +%s) - t0))" \
      >"$out/report.log" 2>&1 && return 0
  fi
  # No Python (or the report failed): the steps alone, so that the file always exists.
  {
    echo '{"report": "minimal: bench/gpu_day_report.py did not run (see report.log)", "steps": {'
    awk -F'\t' '{gsub(/"/, "\\\"", $6); printf "%s\"%s\": {\"status\": \"%s\", \"exit_code\": %s, \"seconds\": %s, \"reason\": \"%s\"}", (NR > 1 ? ",\n" : ""), $1, $2, $3, $4, $6}' "$out/steps.tsv"
    echo '}}'
  } >"$out/gpu-day.json"
  { echo '| step | status | seconds | exit |'; echo '|---|---|---|---|'
    awk -F'\t' '{printf "| %s | %s | %s | %s |\n", $1, $2, $4, $3}' "$out/steps.tsv"; } >"$out/gpu-day.md"
}
trap write_report EXIT
trap 'exit 130' INT TERM

: >"$out/steps.tsv"
# The least time a step is started with; each later step keeps this much of the budget, as far as
# the budget allows.
floor=15
# NAME CAP FUNCTION LATER: FUNCTION in a subshell (an `exit` or a crash ends the step, not the
# script), its output in OUT/NAME.log, under min(CAP, what the budget leaves after LATER steps'
# floors) but at least the floor, while the budget has that; one line of OUT/steps.tsv: name,
# status, exit code, seconds, limit, reason.
run_step() {
  local name="$1" cap="$2" function="$3" later="$4"
  local limit=$(($(left) - later * floor)) rc status reason="" start seconds
  ((limit > cap)) && limit=$cap
  ((limit < floor)) && limit=$floor
  ((limit > $(left))) && limit=$(left)
  step_name="$name"
  if ((limit < floor)); then
    printf '%s\tskipped\t\t0\t%s\t%s\n' "$name" "$limit" \
      "budget: $(left) s of $budget left, $later step(s) after it" >>"$out/steps.tsv"
    echo "gpu-day: $name skipped (budget)" >&2
    write_report
    return
  fi
  echo "gpu-day: [$(($(date +%s) - t0)) s] $name (at most $limit s)" >&2
  step_deadline=$(($(date +%s) + limit))
  start=$(now)
  ("$function") >"$out/$name.log" 2>&1
  rc=$?
  seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  if [[ -f "$out/$name.skip" ]]; then
    status=skipped reason="$(head -c 500 "$out/$name.skip" | tr '\t\n' '  ' | sed 's/ *$//')"
  elif ((rc == 0)); then
    status=ok
  else
    status=failed
    case $rc in
      124 | 137) reason="timed out after its $limit s (exit $rc)" ;;
      134) reason="crashed: SIGABRT (exit 134; a JVM fatal error)" ;;
      139) reason="crashed: SIGSEGV (exit 139)" ;;
      *) if ((rc > 128)); then reason="killed by signal $((rc - 128))"; else reason="exit $rc"; fi ;;
    esac
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$rc" "$seconds" "$limit" "$reason" \
    >>"$out/steps.tsv"
  echo "gpu-day: [$(($(date +%s) - t0)) s] $name: $status${reason:+ ($reason)} in $seconds s" >&2
  write_report
}

# a. doctor with no settings but the device: which device, the CUDA libraries, the warp's plan.
step_doctor() {
  t "${fr[@]}" doctor --json "${doctor_args[@]}" --calibration-cache "$out/calibration" \
    >"$out/doctor.json"
}

# The datasets, generated side by side. The PyTorch script reads JSON Lines: the same generator and
# seed write the same rows as the Parquet that Facerender's plain render reads (Parquet input is
# what takes the local engine).
step_datasets() {
  local pids=() names=() i rc=0 oom_frames total
  if [[ -n "$simulate" ]]; then
    # The simulator's warp holds 80.8 MiB a frame at 256 px: 240 frames cannot fit 16 GiB.
    oom_frames=240
  else
    # The reference network at 256 px held 453.6 MiB per frame under the legacy executor, less
    # under the simple one (395 frames fitted an H200's 141 GB): a batch sized at 2.5x the device's
    # memory by the old figure cannot fit whatever the GPU (as bench/gpu-check.sh).
    total="$(json_value "$out/doctor.json" 'd["totalBytes"]')"
    [[ "$total" =~ ^[0-9]+$ ]] || total=$(($(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits -i 0 | head -1) * 1048576))
    oom_frames=$((total * 5 / 2 / (4536 * 1048576 / 10) + 1))
  fi
  echo "$oom_frames" >"$out/oom-frames.txt"
  gen() { # NAME ARGS...
    local name="$1"; shift
    t "${fr[@]}" generate --out "$out/data/$name" --seed 1 "$@" >"$out/data/$name.log" 2>&1 &
    pids+=($!) names+=("$name")
  }
  gen main "${main_data[@]}"
  gen main-jsonl "${main_data[@]}" --format jsonl
  gen reference "${ref_data[@]}"
  gen oom --clips 1 --frames "$oom_frames" --size 256
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      rc=1
      echo "gpu-day: generating ${names[$i]} failed:" >&2
      tail -5 "$out/data/${names[$i]}.log" >&2
    fi
  done
  return "$rc"
}

# b. A plain render on the device: no engine, level or batch settings. The wall time is the whole
# process, JVM start to exit, as c's is for PyTorch's script.
step_render() {
  local start rc
  sampler_start render
  start=$(now)
  t "${fr[@]}" render --frames "$out/data/main/frames" --sources "$out/data/main/sources" \
    --out "$out/render" "${device_args[@]}" --calibration-cache "$out/calibration-render"
  rc=$?
  awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }' >"$out/render.wall"
  sampler_stop
  return "$rc"
}

# c. The same frames through plain PyTorch: the warp as export-model saves it, batch 64, PNG out.
step_plain() {
  local start rc
  [[ -n "$torch_python" ]] || skip "$(no_torch_reason)"
  t "${fr[@]}" export-model builtin:warp --size "$main_size" --out "$out/warp.pt" || return
  start=$(now)
  t "$torch_python" "$root/bench/plain_pytorch.py" --frames "$out/data/main-jsonl/frames" \
    --sources "$out/data/main-jsonl/sources" --out "$out/plain" --module "$out/warp.pt" \
    --device "$python_device" --batch 64 >"$out/plain.json"
  rc=$?
  awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }' >"$out/plain.wall"
  return "$rc"
}

# d. The reference network at level high, sampled: OOMs (0 expected) and the GPU's busy share.
step_reference() {
  local rc
  sampler_start reference
  t "${fr[@]}" render --frames "$out/data/reference/frames" \
    --sources "$out/data/reference/sources" --out "$out/reference" "${device_args[@]}" \
    "${ref_model[@]}" --level high --precision "$precision" \
    --calibration-cache "$out/calibration-reference"
  rc=$?
  sampler_stop
  return "$rc"
}

# e. Precisions: model-only frames/s of each and the worst frame's PSNR against fp32.
step_precisions() {
  t "${fr[@]}" benchmark --precisions fp32,tf32,bf16,fp16 "${device_args[@]}" "${ref_model[@]}" \
    "${precisions_args[@]}" --json --out "$out/precisions" >"$out/precisions.json"
}

# f. The exported reference network in plain PyTorch at d's precision and at the batch d rendered,
# model only and with the quantising and copy a render does, against Facerender rendering the same
# dataset at that batch in one task (so its render-only frames/s is the device's).
step_probe() {
  local batch clip_frames
  [[ -n "$torch_python" ]] || skip "$(no_torch_reason)"
  batch="$(json_value "$out/reference/metrics.json" 'max(t["largest_batch"] for t in d["tasks"])')"
  clip_frames="${ref_data[3]}"
  [[ "$batch" =~ ^[0-9]+$ ]] || batch=$((clip_frames < 64 ? clip_frames : 64))
  echo "$batch" >"$out/probe-batch.txt"
  t "${fr[@]}" export-model "${ref_export[@]}" --out "$out/reference.pt" || return
  t "$torch_python" "$root/bench/gpu-probe.py" --module "$out/reference.pt" \
    --device "$python_device" --precision "$precision" --include-quantize --batches "$batch" \
    --iters 5 --warmup-max 8 >"$out/probe.json" || return
  t "${fr[@]}" render --frames "$out/data/reference/frames" \
    --sources "$out/data/reference/sources" --out "$out/probe-render" "${device_args[@]}" \
    "${ref_model[@]}" --precision "$precision" --batch-size "$batch" --gpu-slots 1
}

# g. A batch that cannot fit, in one clip so it starts as one batch: split and rendered whole.
step_forced_oom() {
  local frames
  frames="$(cat "$out/oom-frames.txt" 2>/dev/null)"
  [[ "$frames" =~ ^[0-9]+$ ]] || { echo "gpu-day: no OOM dataset (datasets step)" >&2; return 1; }
  if [[ -n "$simulate" ]]; then
    t "${fr[@]}" render --frames "$out/data/oom/frames" --sources "$out/data/oom/sources" \
      --out "$out/forced-oom" "${device_args[@]}" --batch-size 100000
  else
    t "${fr[@]}" render --frames "$out/data/oom/frames" --sources "$out/data/oom/sources" \
      --out "$out/forced-oom" "${device_args[@]}" "${ref_model[@]}" --batch-size "$frames"
  fi
}

# h. Calibration at the limit: doctor at level extreme, no cached calibration, on the reference
# network. On the H200 a calibration batch at 140.5 of 143.8 GB killed the JVM in cuDNN (SIGSEGV).
# Passes when the JVM exits on its own, whatever doctor concluded (its exit code is a figure).
step_extreme() {
  local rc
  t "${fr[@]}" doctor --json "${device_args[@]}" "${ref_model[@]}" --level extreme \
    --calibration-cache none >"$out/extreme.json"
  rc=$?
  echo "$rc" >"$out/extreme.rc"
  if ((rc == 124 || rc == 137 || rc >= 128)); then
    return "$rc"
  fi
  if compgen -G "$out/hs_err_pid*.log" >/dev/null && grep -lq -e 'level extreme' "$out"/hs_err_pid*.log; then
    echo "gpu-day: a JVM fatal error log was written" >&2
    return 134
  fi
  return 0
}

run_step doctor 90 step_doctor 8
run_step datasets 90 step_datasets 7
run_step render 120 step_render 6
run_step plain 90 step_plain 5
run_step reference 150 step_reference 4
run_step precisions 120 step_precisions 3
run_step probe 150 step_probe 2
run_step forced_oom 120 step_forced_oom 1
run_step extreme 150 step_extreme 0

write_report
trap - EXIT
echo "gpu-day: $(($(date +%s) - t0)) s; results in $out/gpu-day.json and $out/gpu-day.md" >&2
[[ -f "$out/gpu-day.md" ]] && cat "$out/gpu-day.md"
if awk -F'\t' '$2 == "failed" { found = 1 } END { exit !found }' "$out/steps.tsv"; then
  exit 1
fi
exit 0
