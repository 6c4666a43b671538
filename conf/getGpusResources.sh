#!/usr/bin/env bash
# GPU discovery script for Spark (spark.worker.resource.gpu.discoveryScript,
# spark.executor.resource.gpu.discoveryScript, spark.driver.resource.gpu.discoveryScript).
# Prints the GPUs this process may use as Spark's ResourceInformation JSON:
#   {"name":"gpu","addresses":["0","1"]}
# The addresses are CUDA device indices: Facerender passes them to cudaSetDevice. Where a
# container runtime or CUDA_VISIBLE_DEVICES hides GPUs, nvidia-smi lists only the visible ones,
# renumbered from 0, as CUDA does.
# With no GPU, or when nvidia-smi fails, it says why on stderr and exits non-zero: Spark then stops
# the Worker or executor with that message instead of scheduling GPU tasks nowhere.
set -uo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "getGpusResources.sh: nvidia-smi not found on PATH ($PATH): no NVIDIA driver here" >&2
  exit 1
fi

if ! indices="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "getGpusResources.sh: nvidia-smi failed: ${indices}" >&2
  exit 1
fi

addresses=()
while IFS= read -r line; do
  line="${line//[[:space:]]/}"
  [[ -z "$line" ]] && continue
  if [[ ! "$line" =~ ^[0-9]+$ ]]; then
    echo "getGpusResources.sh: unexpected nvidia-smi output line '$line' (wanted a GPU index)" >&2
    exit 1
  fi
  addresses+=("\"$line\"")
done <<<"$indices"

if ((${#addresses[@]} == 0)); then
  echo "getGpusResources.sh: nvidia-smi lists no GPU" >&2
  exit 1
fi

joined="$(IFS=,; echo "${addresses[*]}")"
echo "{\"name\":\"gpu\",\"addresses\":[${joined}]}"
