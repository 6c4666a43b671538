#!/usr/bin/env bash
# The GPU-day check: proves sizing on one GPU in one short run and writes one JSON.
#   bench/gpu-check.sh [--out DIR]                     on cuda:0 (needs the -Pgpu build)
#   bench/gpu-check.sh --simulate-gpu 16GiB [--out DIR] the same checks against the simulator (CPU)
# Builds nothing: it runs the classes `mvn package` (or `mvn -Pgpu package`) left in target/.
# Checks: doctor on the device; a demo render at level high; a batch far over memory split and
# retried (a real CUDA OOM on a GPU); four tasks sharing the device (task GPU amount 0.25), each
# planning at most a quarter; sizing accuracy and batched vs batch-1 frames/s (benchmark).
# Exits non-zero when any check fails. Results: DIR/gpu-check.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/spark-job/target/gpu-check"
simulate=""
while (($#)); do
  case "$1" in
    --simulate-gpu) simulate="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
  esac
done
# `mvn -Pgpu package` writes launcher-gpu.classpath (the GPU natives), `mvn package` launcher.classpath.
classpath_file="$root/spark-job/target/launcher.classpath"
if [[ -z "$simulate" && -f "$root/spark-job/target/launcher-gpu.classpath" ]]; then
  classpath_file="$root/spark-job/target/launcher-gpu.classpath"
fi
[[ -f "$classpath_file" ]] || { echo "gpu-check: run mvn -B -DskipTests package first" >&2; exit 2; }
rm -rf "$out" && mkdir -p "$out"

script="$out/gpus.sh"
printf '#!/bin/sh\necho %s\n' "'{\"name\":\"gpu\",\"addresses\":[\"0\"]}'" >"$script"
chmod +x "$script"
# Local Spark given GPU 0 the way a cluster gives it, so tasks see it in TaskContext.resources().
gpu_conf=(--conf spark.driver.resource.gpu.amount=1
  --conf "spark.driver.resource.gpu.discoveryScript=$script")
device_conf=()
doctor_device=(--gpu 0)
java_extra=()
if [[ -n "$simulate" ]]; then
  # The driver's GPU 0 too, so the tasks take the same path as on a real GPU.
  device_conf=(--simulate-gpu "$simulate" "${gpu_conf[@]}")
  doctor_device=(--simulate-gpu "$simulate")
else
  java_extra=(-Dorg.bytedeco.javacpp.platform.extension=-gpu)
  # Local tasks are never offered resources; Facerender lends them the driver's GPUs.
  device_conf=("${gpu_conf[@]}")
fi
mapfile -t jvm_options < <(grep -v '^#' "$root/conf/jvm-options")
cli() {
  SPARK_LOCAL_IP=127.0.0.1 java "${jvm_options[@]}" "${java_extra[@]}" -Xmx3g \
    -Dlog4j.configurationFile="$root/conf/log4j2.properties" \
    -cp "$root/spark-job/target/classes:$root/udf/target/classes:$(cat "$classpath_file")" \
    dev.facerender.cli.Main "$@"
}

start=$(date +%s)
step_start=$start
steps="$out/steps.tsv"
: >"$steps"
lap() { # NAME: seconds since the previous lap, for the JSON's per-step timings
  local now
  now=$(date +%s)
  printf '%s\t%s\n' "$1" "$((now - step_start))" >>"$steps"
  step_start=$now
}
cli doctor --json "${doctor_device[@]}" >"$out/doctor.json"
lap doctor
cli generate --out "$out/input" --clips 4 --frames 120 --size 256 >/dev/null
render() { # NAME MASTER EXTRA...
  local name="$1" master="$2"; shift 2
  cli render --frames "$out/input/frames" --sources "$out/input/sources" --out "$out/$name" \
    --master "$master" "${device_conf[@]}" "$@" >"$out/$name.log" 2>&1
}
# Four task slots on the one device stand for amount 0.25 (local Spark takes no task amount).
lap generate
render demo-high 'local[1]' --level high
lap demo_high
render forced-oom 'local[1]' --batch-size 100000
lap forced_oom
render four-tasks 'local[4]' --level high
lap four_tasks
cli benchmark --json --out "$out/benchmark" --clips 2 --frames 48 --size 256 --rounds 1 --level high \
  --master 'local[1]' "${device_conf[@]}" >"$out/benchmark.json"
lap benchmark

/usr/bin/python3 - "$out" "$simulate" "$(( $(date +%s) - start ))" <<'PY'
import glob, json, sys
out, simulate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
def run(name): return json.load(open(f"{out}/{name}/run.json"))
def metrics(name):
    rows = []
    for f in glob.glob(f"{out}/{name}/metrics.json"):
        data = json.load(open(f))
        rows += data if isinstance(data, list) else data.get("sample", [])
    return rows
def get(row, *keys):
    for k in keys:
        if k in row: return row[k]
    return None
checks = {}
doctor = json.load(open(f"{out}/doctor.json"))
checks["doctor"] = {"device": doctor.get("device"), "ok": bool(doctor.get("levels"))}
demo = run("demo-high")
d = demo.get("totals", demo)
checks["demo_high"] = {"ooms": d.get("ooms"), "rendered": d.get("rendered_frames"),
                       "ok": d.get("ooms") == 0 and d.get("rendered_frames") == 480}
# Every sampled batch ran on GPU 0 (simulated or real), none on the CPU.
devices = sorted({str(get(m, "device")) for m in metrics("demo-high")})
checks["tasks_on_gpu0"] = {"devices": devices,
                           "ok": devices == ["sim-gpu:0" if simulate else "cuda:0"]}
oom = run("forced-oom")
t = oom.get("totals", oom)
checks["forced_oom"] = {"ooms": t.get("ooms"), "splits": t.get("splits"), "rendered": t.get("rendered_frames"),
                        "ok": (t.get("ooms") or 0) > 0 and t.get("rendered_frames") == 480}
shares = []
for m in metrics("four-tasks"):
    free, fixed, per, planned = (get(m, "freeBytes", "free_bytes"), get(m, "fixedBytes", "fixed_bytes"),
                                 get(m, "perFrameBytes", "per_frame_bytes"), get(m, "plannedBatch", "planned_batch"))
    if None not in (free, fixed, per, planned) and free > 0:
        shares.append((fixed + per * planned) / (free * 0.95))
checks["four_tasks"] = {"largest_share": max(shares) if shares else None,
                        "ok": bool(shares) and max(shares) <= 0.25 + 1e-9}
bench = json.load(open(f"{out}/benchmark.json"))
acc = bench.get("sizingAccuracy")
checks["sizing_accuracy"] = {"accuracy": acc, "largest_fitting_batch": bench.get("largestFittingBatch"),
                             "ok": acc is not None and 0.9 <= acc <= 1.0}
checks["batched_vs_batch1"] = {"batch1_fps": bench.get("batch1FramesPerSecond"),
                               "best_fps": bench.get("bestFramesPerSecond"), "best_batch": bench.get("bestBatch"),
                               "ratio": bench.get("bestFramesPerSecond") / bench.get("batch1FramesPerSecond"),
                               "ok": True}
step_seconds = {name: int(secs) for name, secs in (line.split("\t") for line in open(f"{out}/steps.tsv"))}
result = {"device": "simulated " + simulate if simulate else "cuda:0", "seconds": seconds,
          "step_seconds": step_seconds,
          "checks": checks, "ok": all(c["ok"] for c in checks.values())}
json.dump(result, open(f"{out}/gpu-check.json", "w"), indent=2)
print(json.dumps(result, indent=2))
sys.exit(0 if result["ok"] else 1)
PY
